/// The inbox list, the partners list, a partner's profile and the *New message* form.
enum InboxTemplates {
    /// A labelled `<select>` whose first choice means "any".
    static let select = """
        <div class="field">
          <label for="{{name}}">{{label}}</label>
          <select id="{{name}}" name="{{name}}">
            <option value="">{{anyLabel}}</option>
            {{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/options}}
          </select>
        </div>
        """

    static let rows = """
        <ul class="rows" id="rows">
        {{#rows}}
          <li class="row kind-{{kind}}{{#unread}} unread{{/unread}}" data-id="{{id}}" data-unread="{{unread}}" data-kind="{{kind}}" data-partner="{{partnerID}}" data-status="{{partnerStatus}}">
            <a href="{{href}}">
              <span class="partner">{{partnerName}}</span>
              <span class="kind-badge kind-{{kind}}">{{kindLabel}}</span>
              <span class="subject">{{subject}}{{#hasDraft}} <span class="draft-mark">Draft</span>{{/hasDraft}}</span>
              <span class="preview">{{preview}}</span>
              <time datetime="{{isoDate}}">{{date}}</time>
              {{#unread}}<span class="visually-hidden">(unread)</span>{{/unread}}
            </a>
          </li>
        {{/rows}}
        </ul>
        """

    static let inbox = """
        <h1>Inbox</h1>
        <form class="filters" method="get" action="/inbox" role="search" aria-label="Search and filter">
          <div class="field grow">
            <label for="q">Search</label>
            <input type="search" id="q" name="q" value="{{query}}" placeholder="Subjects, messages, partners, customers">
          </div>
          {{#selects}}{{> select}}{{/selects}}
          <div class="field check">
            <input type="checkbox" id="unread" name="unread" value="1"{{#unreadOnly}} checked{{/unreadOnly}}>
            <label for="unread">Unread only</label>
          </div>
          <button type="submit">Apply</button>
        </form>
        <section id="inbox-list" data-live aria-label="Conversations">
          <p class="count" id="count">{{countText}}</p>
          {{#isEmpty}}<p class="empty">{{emptyText}}</p>{{/isEmpty}}
          {{> rows}}
          {{#paged}}
          <nav class="pager" aria-label="Pages">
            {{#newerHref}}<a href="{{.}}" rel="prev" id="newer">← Newer</a>{{/newerHref}}
            {{#olderHref}}<a href="{{.}}" rel="next" id="older">Older →</a>{{/olderHref}}
          </nav>
          {{/paged}}
        </section>
        """

    static let partners = """
        <h1>Partners</h1>
        <form class="filters" method="get" action="/partners" aria-label="Filter partners">
          {{#selects}}{{> select}}{{/selects}}
          <button type="submit">Apply</button>
        </form>
        <table class="partners" id="partners">
          <thead><tr><th scope="col">Partner</th><th scope="col">Status</th><th scope="col">Contact</th>
            <th scope="col">Conversations</th><th scope="col">Last activity</th></tr></thead>
          <tbody>
          {{#partners}}
            <tr data-id="{{id}}">
              <th scope="row"><a href="{{href}}">{{name}}</a></th>
              <td><span class="status status-{{status}}">{{statusLabel}}</span></td>
              <td>{{email}}</td>
              <td>{{conversations}}{{#unread}}, {{.}}{{/unread}}</td>
              <td>{{lastActivity}}</td>
            </tr>
          {{/partners}}
          </tbody>
        </table>
        """

    static let partner = """
        <div class="profile">
          <section class="partner-panel profile-panel" aria-labelledby="partner-name">
            {{#partner}}{{> partnerPanel}}{{/partner}}
          </section>
          <section aria-labelledby="recent-title" id="recent" data-live>
            <h2 id="recent-title">Recent conversations</h2>
            {{#isEmpty}}<p class="empty">No conversations yet.</p>{{/isEmpty}}
            {{> rows}}
          </section>
        </div>
        """

    static let drafts = """
        <h1>Drafts</h1>
        {{#isEmpty}}<p class="empty">No drafts.</p>{{/isEmpty}}
        <ul class="rows" id="drafts" data-live>
        {{#drafts}}
          <li class="row draft{{#inConflict}} conflict-row{{/inConflict}}" data-key="{{key}}">
            <a href="{{href}}">
              <span class="partner">{{partnerName}}</span>
              <span class="kind-badge">{{#inConflict}}In conflict{{/inConflict}}{{^inConflict}}{{kindLabel}}{{/inConflict}}</span>
              <span class="subject">{{subject}}</span>
              <span class="preview">{{preview}}</span>
            </a>
          </li>
        {{/drafts}}
        </ul>
        """

    static let compose = """
        <h1>New message</h1>
        {{#error}}<p class="error-text" role="alert">{{.}}</p>{{/error}}
        <form method="post" action="/compose" class="compose-form" data-draft-url="/compose/draft">
          <input type="hidden" name="_csrf" value="{{csrf}}">
          <input type="hidden" name="draft" value="{{draftKey}}">
          <div class="field">
            <label for="compose-partner">To</label>
            <select id="compose-partner" name="partner" required>
              <option value="">Choose a partner</option>
              {{#partners}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/partners}}
            </select>
          </div>
          <div class="field">
            <label for="compose-subject">Subject</label>
            <input type="text" id="compose-subject" name="subject" value="{{subject}}" required maxlength="300">
          </div>
          <div class="field">
            <label for="compose-text">Message</label>
            <textarea id="compose-text" name="text" rows="8" required data-autosave>{{text}}</textarea>
            <p class="draft-state" id="draft-state" aria-live="polite"></p>
          </div>
          <button type="submit" class="primary">Send</button>
        </form>
        """
}
