/// The page frame, the status bar, the partner panel and the error page (Mustache; `{{ }}`
/// escapes HTML, `{{{ }}}` is used only for HTML that a template rendered). `forms` is false on
/// error pages: no CSRF token and no form there.
enum LayoutTemplates {
    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        {{#forms}}<meta name="csrf-token" content="{{csrf}}">{{/forms}}
        <title>{{title}} — Outpost</title>
        <link rel="stylesheet" href="/static/app.css">
        <script src="/static/app.js" defer></script>
        </head>
        <body data-page="{{page}}">
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="topbar">
          <span class="brand">Outpost</span>
          <span class="who">{{who}}</span>
          <div id="sync-status" class="sync-status" data-live role="status" aria-live="polite">
            {{#status}}{{> status}}{{/status}}
          </div>
        </header>
        <div class="shell">
          <nav class="sidenav" aria-label="Main">
            <ul>
              <li><a href="/inbox"{{#navInbox}} aria-current="page"{{/navInbox}}>Inbox</a></li>
              <li><a href="/partners"{{#navPartners}} aria-current="page"{{/navPartners}}>Partners</a></li>
              <li><a href="/drafts"{{#navDrafts}} aria-current="page"{{/navDrafts}}>Drafts</a></li>
            </ul>
            <a class="button primary" href="/compose">New message</a>
          </nav>
          <main id="main" tabindex="-1">
        {{{content}}}
          </main>
        </div>
        </body>
        </html>
        """

    static let status = """
        <span class="conn conn-{{connection}}" id="connection" data-connection="{{connection}}">{{connectionLabel}}</span>
        <span class="pending" id="pending" data-pending="{{pending}}">{{pendingText}}</span>
        <span class="last-sync">{{lastSync}}</span>
        {{#hasConflicts}}<a class="conflicts" id="conflicts" href="/drafts">{{conflictText}}</a>{{/hasConflicts}}
        {{#error}}<span class="sync-error" title="{{.}}">{{.}}</span>{{/error}}
        {{#enrolled}}{{#forms}}
        <form method="post" action="/sync/offline" class="inline">
          <input type="hidden" name="_csrf" value="{{csrf}}">
          <input type="hidden" name="offline" value="{{#paused}}0{{/paused}}{{^paused}}1{{/paused}}">
          <button type="submit" id="offline-toggle">{{#paused}}Go online{{/paused}}{{^paused}}Work offline{{/paused}}</button>
        </form>
        {{/forms}}{{/enrolled}}
        """

    static let partnerPanel = """
        <h2 id="partner-name">{{name}}</h2>
        <dl>
          <dt>Contact</dt><dd><a href="mailto:{{email}}">{{email}}</a></dd>
          <dt>Partnership</dt><dd><span class="status status-{{status}}">{{statusLabel}}</span> since {{since}}</dd>
          <dt>Conversations</dt><dd>{{conversations}} ({{unread}})</dd>
          <dt>Messages</dt><dd>{{messages}}</dd>
          {{#lastActivity}}<dt>Last activity</dt><dd>{{.}}</dd>{{/lastActivity}}
        </dl>
        <p class="actions">
          <a href="/partners/{{id}}">Profile</a>
          {{#canMessage}}<a class="button" id="message-partner" href="/compose?partner={{id}}">Message</a>{{/canMessage}}
        </p>
        """

    static let error = """
        <h1>{{heading}}</h1>
        <p class="error-text" role="alert">{{message}}</p>
        <p><a href="/inbox">Back to the inbox</a></p>
        """
}
