/// The thread view: messages, the forwarded customer message, delivery states, the reply box
/// with its draft (and a draft conflict to resolve), and the partner panel.
enum ThreadTemplate {
    static let thread = """
        <div class="thread-layout">
        <article class="thread" aria-labelledby="thread-title">
          <header class="thread-head">
            <span class="kind-badge kind-{{kind}}">{{kindLabel}}</span>
            <h1 id="thread-title">{{subject}}</h1>
            <form method="post" action="/threads/{{id}}/unread" class="inline">
              <input type="hidden" name="_csrf" value="{{csrf}}">
              <button type="submit" id="mark-unread">Mark unread</button>
            </form>
          </header>
          {{#inquiry}}
          <section class="inquiry" id="inquiry" aria-labelledby="inquiry-title">
            <h2 id="inquiry-title">Forwarded customer message</h2>
            <dl>
              <dt>From</dt><dd>{{customerName}} &lt;{{customerEmail}}&gt;</dd>
              <dt>Storefront</dt><dd>{{storefront}}</dd>
              <dt>Product</dt><dd>{{product}}</dd>
              <dt>Asked</dt><dd><time datetime="{{isoAskedAt}}">{{askedAt}}</time></dd>
            </dl>
            <blockquote class="body">{{text}}</blockquote>
          </section>
          {{/inquiry}}
          <ol class="messages" id="messages" data-live aria-label="Messages">
          {{#messages}}
            <li class="message{{#isOwn}} own{{/isOwn}}{{#unread}} unread{{/unread}}{{#fromPlatform}} platform{{/fromPlatform}}" data-id="{{id}}">
              <header>
                <span class="author">{{authorName}}{{#isOwn}} (you){{/isOwn}}</span>
                <time datetime="{{isoTime}}">{{time}}</time>
                {{#deliveryLabel}}<span class="delivery delivery-{{delivery}}" data-delivery="{{delivery}}">{{.}}{{#deliveryReason}}: {{.}}{{/deliveryReason}}</span>{{/deliveryLabel}}
              </header>
              <div class="body">{{body}}</div>
            </li>
          {{/messages}}
          </ol>
          {{#canReply}}
          <section class="reply" id="reply" data-live aria-label="Reply">
          {{#draft}}
            {{#inConflict}}
            <div class="conflict" id="draft-conflict" role="alert">
              <h2>Draft in conflict</h2>
              <p>You edited this draft on two devices at once. Keep one version, or merge them in the box
                 below and save or send.</p>
              {{#versions}}
              <figure class="version" data-version="{{version}}">
                <figcaption>Version {{number}} — {{device}}, {{savedAt}}</figcaption>
                <blockquote class="body">{{text}}</blockquote>
                <form method="post" action="/drafts/{{key}}/pick" class="inline">
                  <input type="hidden" name="_csrf" value="{{csrf}}">
                  <input type="hidden" name="version" value="{{version}}">
                  <button type="submit" class="keep-version">Keep version {{number}}</button>
                </form>
              </figure>
              {{/versions}}
            </div>
            {{/inConflict}}
            {{#merged}}<p class="note">Edits made on two devices were merged.</p>{{/merged}}
            <form method="post" action="/threads/{{id}}/reply" class="reply-form" data-draft-url="/threads/{{id}}/draft">
              <input type="hidden" name="_csrf" value="{{csrf}}">
              <label for="reply-text">Write a message</label>
              <textarea id="reply-text" name="text" rows="5" required data-autosave>{{text}}</textarea>
              <p class="draft-state" id="draft-state" aria-live="polite"></p>
              <div class="buttons">
                <button type="submit" class="primary" id="send">Send</button>
                {{#inConflict}}<button type="submit" formaction="/threads/{{id}}/draft" id="save-merged">Save as the draft</button>{{/inConflict}}
              </div>
            </form>
          {{/draft}}
          </section>
          {{/canReply}}
          {{^canReply}}<p class="note">System notifications are read-only.</p>{{/canReply}}
        </article>
        <aside class="partner-panel" aria-labelledby="partner-name">
          {{#partner}}{{> partnerPanel}}{{/partner}}
        </aside>
        </div>
        """
}
