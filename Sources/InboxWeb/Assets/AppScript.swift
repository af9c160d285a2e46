/// The UI's one script (`/static/app.js`): filters that apply on change, drafts saved as the user
/// types (a debounced POST with the CSRF header), and live updates from `/events` (server-sent
/// events) that refresh the page's `data-live` regions without a reload, never the text box the
/// user is writing in. Every page works without it.
enum AppScript {
    static let javascript = #"""
        (function () {
          "use strict";
          var meta = document.querySelector('meta[name="csrf-token"]');
          var token = meta ? meta.content : "";

          document.querySelectorAll("form.filters select, form.filters input[type=checkbox]").forEach(function (el) {
            el.addEventListener("change", function () { el.form.submit(); });
          });

          function bindDraft() {
            var box = document.getElementById("reply-text");
            if (!box || box.dataset.bound) return;
            box.dataset.bound = "1";
            var form = box.form, state = document.getElementById("draft-state");
            var timer = null, saved = box.value;
            function save() {
              timer = null;
              var text = box.value;
              if (text === saved) { delete box.dataset.dirty; return; }
              fetch(form.dataset.draftUrl, {
                method: "POST", credentials: "same-origin",
                headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token },
                body: new URLSearchParams({ text: text })
              }).then(function (response) {
                if (response.ok) {
                  saved = text;
                  if (box.value === text) delete box.dataset.dirty;
                  state.textContent = "Draft saved";
                  document.body.dataset.draftSaved = String(Date.now());
                } else {
                  state.textContent = "The draft could not be saved";
                }
              }).catch(function () { state.textContent = "The draft could not be saved"; });
            }
            box.addEventListener("input", function () {
              box.dataset.dirty = "1";
              state.textContent = "Saving…";
              clearTimeout(timer);
              timer = setTimeout(save, 500);
            });
            box.addEventListener("blur", function () { if (timer) { clearTimeout(timer); save(); } });
            form.addEventListener("submit", function () { clearTimeout(timer); });
          }
          bindDraft();

          var busy = false, again = false;
          function editing(region) {
            var box = region.querySelector("textarea");
            return box && (box === document.activeElement || box.dataset.dirty);
          }
          function refresh() {
            if (busy) { again = true; return; }
            busy = true;
            fetch(location.href, { credentials: "same-origin", headers: { "X-Outpost-Live": "1" } })
              .then(function (response) { return response.ok ? response.text() : null; })
              .then(function (html) {
                if (html === null) return;
                var fresh = new DOMParser().parseFromString(html, "text/html");
                document.querySelectorAll("[data-live]").forEach(function (region) {
                  var next = fresh.getElementById(region.id);
                  if (!next || editing(region) || region.contains(document.activeElement)) return;
                  region.replaceWith(document.importNode(next, true));
                });
                bindDraft();
                document.body.dataset.refreshed = String(Date.now());
              })
              .catch(function () {})
              .finally(function () {
                busy = false;
                if (again) { again = false; refresh(); }
              });
          }
          if (window.EventSource) {
            var events = new EventSource("/events");
            events.addEventListener("change", refresh);
          }
        })();
        """#
}
