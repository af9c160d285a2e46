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

          // A text box with data-autosave saves its form's draft as the user types. A compose
          // form also sends partner, subject and the draft key, and keeps the key it gets back.
          function bindDraft() {
            document.querySelectorAll("textarea[data-autosave]").forEach(bindBox);
          }
          function bindBox(box) {
            if (box.dataset.bound) return;
            box.dataset.bound = "1";
            var form = box.form, state = form.querySelector(".draft-state");
            var timer = null, saved = fields().toString();
            function fields() {
              var data = new URLSearchParams({ text: box.value });
              ["partner", "subject", "draft"].forEach(function (name) {
                if (form.elements[name]) data.set(name, form.elements[name].value);
              });
              return data;
            }
            function save() {
              timer = null;
              var text = box.value, data = fields();
              if (data.toString() === saved) { delete box.dataset.dirty; return; }
              fetch(form.dataset.draftUrl, {
                method: "POST", credentials: "same-origin",
                headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token },
                body: data
              }).then(function (response) {
                if (response.ok) {
                  saved = data.toString();
                  if (form.elements.draft) {
                    response.text().then(function (key) { if (key) form.elements.draft.value = key; });
                  }
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
