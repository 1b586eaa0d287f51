// Mubiao: progressive enhancement only. Every page works without this file.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  // Forms (or their buttons) with data-confirm ask before they are sent:
  // deactivating a unit or a person, revoking a token, resetting a password.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement)) return;
    var button = ev.submitter;
    var text = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) {
      ev.preventDefault();
      return;
    }
    // One click, one request: a slow answer must not invite a second post.
    if (form.method.toLowerCase() === "post") {
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
          b.disabled = true;
        });
      }, 0);
    }
  });

  // Buttons with data-copy="#selector" copy that element's text.
  document.addEventListener("click", function (ev) {
    var button = ev.target instanceof Element ? ev.target.closest("[data-copy]") : null;
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      var done = button.getAttribute("data-copied");
      if (done) {
        var before = button.textContent;
        button.textContent = done;
        window.setTimeout(function () { button.textContent = before; }, 2000);
      }
    });
  });

  // Pages left with the back button come back from the cache with their
  // buttons still disabled; enable them again.
  window.addEventListener("pageshow", function (ev) {
    if (!ev.persisted) return;
    document.querySelectorAll("form button[disabled]").forEach(function (b) {
      b.disabled = false;
    });
  });
})();
