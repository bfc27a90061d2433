/* The workspace's small enhancements. Every page works without them:
   - queue: j/k move the current row, Enter opens it, x selects it, / focuses the search;
   - request page: the canned reply picker inserts the filled-in text where the cursor is. */
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // --- the queue --------------------------------------------------------------------------
  var current = -1;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-ws-row]"));
  }

  function highlight(index) {
    var all = rows();
    if (!all.length) { current = -1; return; }
    current = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row, i) { row.classList.toggle("ws-row--current", i === current); });
    var link = all[current].querySelector(".ws-open");
    if (link) { link.focus({ preventScroll: true }); }
    all[current].scrollIntoView({ block: "nearest" });
  }

  function countSelected() {
    var output = document.querySelector("[data-ws-selected-count]");
    if (output) {
      output.textContent = document.querySelectorAll('#bulk-form input[name="ref"]:checked').length;
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    if (!document.querySelector("[data-ws-queue]")) { return; }
    var all = rows();
    if (event.key === "/") {
      var search = document.getElementById("filter-text");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
    } else if (event.key === "j" && all.length) {
      event.preventDefault();
      highlight(current + 1);
    } else if (event.key === "k" && all.length) {
      event.preventDefault();
      highlight(current < 0 ? 0 : current - 1);
    } else if (event.key === "x" && current >= 0 && all[current]) {
      event.preventDefault();
      var box = all[current].querySelector('input[name="ref"]');
      if (box) { box.checked = !box.checked; countSelected(); }
    } else if (event.key === "Enter" && current >= 0 && all[current] && document.activeElement === document.body) {
      var open = all[current].querySelector(".ws-open");
      if (open) { window.location.href = open.href; }
    }
  });

  // Focus moving by Tab keeps the current row in step with it.
  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest("[data-ws-row]");
    if (!row) { return; }
    var index = rows().indexOf(row);
    if (index !== current) {
      rows().forEach(function (other, i) { other.classList.toggle("ws-row--current", i === index); });
      current = index;
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.name === "ref") { countSelected(); }
  });

  // New results from htmx: start again from the top.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "queue-results") { current = -1; countSelected(); }
  });

  // On a phone the extra filters fold away so the requests come first (they stay open without JS).
  var more = document.querySelector("[data-ws-more]");
  if (more && window.matchMedia && window.matchMedia("(max-width: 640px)").matches &&
      !document.querySelector("#queue-results .error-summary")) {
    more.open = false;
  }

  // A change caught as stale: take the reader straight to what changed, whether the
  // page came whole or htmx swapped the notice in.
  var stale = document.getElementById("stale-notice");
  if (stale) { stale.focus(); }
  document.addEventListener("htmx:afterSettle", function () {
    var notice = document.getElementById("stale-notice");
    if (notice && notice !== stale) { stale = notice; notice.focus(); }
  });

  // --- the canned reply picker ----------------------------------------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-canned-url]")) { return; }
    var target = document.getElementById(form.getAttribute("data-canned-target"));
    var choice = form.querySelector("select[name=canned]");
    if (!target || !choice || !window.fetch) { return; }
    event.preventDefault();
    fetch(form.getAttribute("data-canned-url") + encodeURIComponent(choice.value) + "/", {
      credentials: "same-origin",
      headers: { "Accept": "text/plain" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.text();
    }).then(function (text) {
      var start = target.selectionStart || 0;
      var end = target.selectionEnd || 0;
      var before = target.value.slice(0, start);
      var after = target.value.slice(end);
      var gap = before && !/\n$/.test(before) ? "\n\n" : "";
      target.value = before + gap + text + after;
      var caret = (before + gap + text).length;
      target.focus();
      target.setSelectionRange(caret, caret);
      // Typed or inserted, it is part of the draft the page keeps (drafts.js).
      target.dispatchEvent(new Event("input", { bubbles: true }));
    }).catch(function () {
      form.submit();
    });
  });
})();
