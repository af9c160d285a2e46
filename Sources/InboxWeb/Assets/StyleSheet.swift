/// The UI's one stylesheet (`/static/app.css`).
enum StyleSheet {
    static let css = """
        :root { --ink: #1d232b; --muted: #5b6572; --line: #d9dee4; --bg: #f6f7f9; --accent: #1f5fbf;
          --ok: #1d7a45; --warn: #a35c00; --bad: #b3261e; font-family: system-ui, sans-serif; color: var(--ink); }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); }
        a { color: var(--accent); }
        :focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
        .skip-link { position: absolute; left: -999px; } .skip-link:focus { left: 8px; top: 8px; background: #fff; padding: 6px; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
        .topbar { display: flex; gap: 16px; align-items: center; padding: 8px 16px; background: #fff;
          border-bottom: 1px solid var(--line); flex-wrap: wrap; }
        .brand { font-weight: 700; font-size: 1.1rem; } .who { color: var(--muted); }
        .sync-status { margin-left: auto; display: flex; gap: 12px; align-items: center; font-size: .9rem; flex-wrap: wrap; }
        .conn::before { content: "●"; margin-right: 4px; }
        .conn-online { color: var(--ok); } .conn-offline, .conn-paused { color: var(--bad); } .conn-connecting { color: var(--warn); }
        .conflicts { color: var(--warn); font-weight: 600; } .sync-error { color: var(--muted); max-width: 24em;
          overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .shell { display: flex; min-height: calc(100vh - 50px); }
        .sidenav { width: 180px; padding: 16px; border-right: 1px solid var(--line); background: #fff; }
        .sidenav ul { list-style: none; padding: 0; margin: 0 0 16px; }
        .sidenav li a { display: block; padding: 8px; border-radius: 6px; text-decoration: none; color: var(--ink); }
        .sidenav a[aria-current="page"] { background: #e6eefb; font-weight: 600; }
        main { flex: 1; padding: 16px 24px; min-width: 0; }
        h1 { margin: 0 0 12px; font-size: 1.4rem; }
        button, .button { font: inherit; padding: 6px 12px; border: 1px solid var(--line); border-radius: 6px;
          background: #fff; color: var(--ink); cursor: pointer; text-decoration: none; display: inline-block; }
        button.primary, .button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
        form.inline { display: inline; }
        .filters { display: flex; gap: 12px; align-items: flex-end; flex-wrap: wrap; margin-bottom: 12px; }
        .field { display: flex; flex-direction: column; gap: 4px; } .field.grow { flex: 1; min-width: 14em; }
        .field.check { flex-direction: row; align-items: center; }
        input[type=search], input[type=text], select, textarea { font: inherit; padding: 6px; border: 1px solid #aab3be; border-radius: 6px; }
        .count { color: var(--muted); margin: 4px 0; }
        .pager { display: flex; justify-content: space-between; margin: 8px 0; } .pager #older { margin-left: auto; }
        .rows { list-style: none; padding: 0; margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
        .row a { display: grid; grid-template-columns: 12em 9em 1fr 6em; grid-template-areas: "partner kind subject date" "partner kind preview date";
          gap: 2px 12px; padding: 8px 12px; border-bottom: 1px solid var(--line); color: var(--ink); text-decoration: none; font-weight: 400; }
        .row a:hover { background: #f0f4fa; }
        .row .partner { grid-area: partner; } .row .kind-badge { grid-area: kind; align-self: start; }
        .row .subject { grid-area: subject; } .row .preview { grid-area: preview; color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        .row time { grid-area: date; text-align: right; color: var(--muted); }
        .row.unread a { font-weight: 700; } .row.unread a .preview { font-weight: 400; }
        .row.unread .partner::before { content: "● "; color: var(--accent); }
        .kind-badge { font-size: .75rem; padding: 2px 6px; border-radius: 10px; background: #eef0f3; font-weight: 600; white-space: nowrap; }
        .kind-badge.kind-system { background: #fff2d6; } .kind-badge.kind-inquiry { background: #e3f3e8; } .kind-badge.kind-direct { background: #e6eefb; }
        .draft-mark { font-size: .75rem; color: var(--warn); }
        .thread-layout { display: grid; grid-template-columns: 1fr 280px; gap: 24px; }
        .thread-head { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; } .thread-head h1 { margin: 0; flex: 1; }
        .inquiry { border: 2px dashed #7fb08f; background: #f1faf4; border-radius: 8px; padding: 8px 16px; margin: 12px 0; }
        .inquiry h2 { font-size: 1rem; margin: 4px 0; } .inquiry dl { display: grid; grid-template-columns: 7em 1fr; margin: 4px 0; }
        dd { margin: 0 0 4px; } dt { color: var(--muted); }
        .messages { list-style: none; padding: 0; }
        .message { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; margin: 8px 0; }
        .message.own { border-left: 4px solid var(--accent); } .message.platform { background: #fffaf0; }
        .message.unread { box-shadow: inset 4px 0 0 #f2a900; }
        .message header { display: flex; gap: 12px; font-size: .9rem; color: var(--muted); flex-wrap: wrap; }
        .message .author { font-weight: 600; color: var(--ink); }
        .body { white-space: pre-wrap; overflow-wrap: anywhere; margin: 6px 0; }
        .delivery { font-weight: 600; } .delivery-pending { color: var(--warn); } .delivery-queued { color: var(--muted); }
        .delivery-sent { color: var(--ok); } .delivery-failed { color: var(--bad); }
        .reply-form { display: flex; flex-direction: column; gap: 6px; } .reply-form textarea { width: 100%; }
        .buttons { display: flex; gap: 8px; } .draft-state, .note { color: var(--muted); font-size: .9rem; margin: 0; }
        .conflict { border: 2px solid var(--warn); background: #fff8ec; border-radius: 8px; padding: 8px 16px; margin-bottom: 12px; }
        .conflict h2 { font-size: 1rem; margin: 4px 0; } .version { margin: 8px 0; padding: 8px; background: #fff; border-radius: 6px; }
        .partner-panel { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; align-self: start; }
        .partner-panel h2 { font-size: 1.1rem; margin: 0 0 8px; }
        .status { font-weight: 600; } .status-active { color: var(--ok); } .status-pending { color: var(--warn); }
        .status-paused { color: var(--muted); } .status-ended { color: var(--bad); }
        .actions { display: flex; gap: 12px; align-items: center; }
        table.partners { width: 100%; border-collapse: collapse; background: #fff; }
        table.partners th, table.partners td { text-align: left; padding: 8px; border-bottom: 1px solid var(--line); }
        .profile { display: grid; grid-template-columns: 300px 1fr; gap: 24px; }
        .compose-form { display: flex; flex-direction: column; gap: 12px; max-width: 40em; }
        .error-text { color: var(--bad); } .empty { color: var(--muted); }
        @media (max-width: 800px) { .thread-layout, .profile { grid-template-columns: 1fr; } .sidenav { width: 120px; }
          .row a { grid-template-columns: 1fr auto; grid-template-areas: "partner date" "subject kind" "preview preview"; } }
        """
}
