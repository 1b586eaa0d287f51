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

  // The entry grid of the target table: each cell saves on its own when it
  // changes, then the row's colours are refreshed from the table. Without
  // JavaScript the whole grid is posted with its Save button instead.
  var grid = document.querySelector("form.grid-entry");
  if (grid && window.fetch) {
    var csrf = grid.getAttribute("data-csrf");
    var measure = grid.getAttribute("data-measure");
    var subject = grid.getAttribute("data-subject");
    var year = grid.getAttribute("data-year");
    var state = grid.querySelector(".save-state");
    var statusClass = { green: "s-green", yellow: "s-yellow", red: "s-red", none: "s-none" };
    var refresh = function () {
      var url = "/api/v1/table?subject=" + encodeURIComponent(subject) + "&year=" + encodeURIComponent(year);
      return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (t) {
        (t.rows || []).forEach(function (row) {
          var tr = grid.querySelector('tr[data-metric="' + row.metric + '"]');
          if (!tr) return;
          row.months.concat([row.total]).forEach(function (c) {
            var td = tr.querySelector('td[data-period="' + c.period + '"]');
            if (!td) return;
            td.classList.remove("s-green", "s-yellow", "s-red", "s-none");
            td.classList.add(statusClass[c.status] || "s-none");
          });
        });
      });
    };
    grid.addEventListener("change", function (ev) {
      var input = ev.target;
      if (!(input instanceof HTMLInputElement) || input.name.indexOf("v|") !== 0) return;
      var parts = input.name.split("|");
      var original = grid.querySelector('input[name="o|' + parts[1] + "|" + parts[2] + '"]');
      var value = input.value.trim();
      var td = input.closest("td");
      td.classList.remove("failed");
      td.classList.add("saving");
      fetch("/api/v1/" + (measure === "target" ? "targets" : "actuals"), {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify([{ metric: parts[1], subject: subject, period: parts[2], value: value === "" ? null : value }])
      }).then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      }).then(function (res) {
        td.classList.remove("saving");
        if (!res.ok) {
          td.classList.add("failed");
          var d = res.body && res.body.details && res.body.details[0];
          var text = d ? (document.documentElement.lang === "en" ? d.message : d.message_zh) : (res.body && res.body.message);
          input.title = text || "";
          if (state) state.textContent = text || "";
          return;
        }
        if (original) original.value = value;
        input.title = "";
        if (state) state.textContent = value + " ✓";
        td.setAttribute("data-saved", "1");
        return refresh();
      }).catch(function () {
        td.classList.remove("saving");
        td.classList.add("failed");
      });
    });
  }
})();

// The decomposition page's split form: only the parts of the chosen split
// (children, months or quarters) and the distribution only for that method.
// Without JavaScript every part list shows, each under its own heading.
(function () {
  "use strict";
  var form = document.querySelector("form.split-form");
  if (!form) return;
  var to = form.querySelector("[data-split-to]");
  var method = form.querySelector("[data-split-method]");
  var sync = function () {
    var target = to ? to.value : "";
    form.querySelectorAll("fieldset[data-parts]").forEach(function (f) {
      f.classList.toggle("is-hidden", f.getAttribute("data-parts") !== target);
    });
    if (method) {
      var time = target !== "children";
      method.querySelectorAll("option[data-for]").forEach(function (o) {
        var fits = o.getAttribute("data-for") === (time ? "time" : "children");
        o.disabled = !fits;
        if (!fits && o.selected) method.value = "equal";
      });
      form.querySelectorAll("[data-when-method]").forEach(function (el) {
        el.classList.toggle("is-hidden", el.getAttribute("data-when-method") !== method.value);
      });
    }
  };
  if (to) to.addEventListener("change", sync);
  if (method) method.addEventListener("change", sync);
  sync();
})();
