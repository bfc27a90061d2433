/* Nothing typed on a request page is lost (the agent's and the requester's alike).
   - Each form (or part of one) marked data-draft keeps its text in sessionStorage as it is typed, and a
     page that opens with the box empty gets it back (after a reload, a crash, a redirect).
   - Leaving the page with unsent text asks first, unless the text goes along (a form of
     the page being sent, or a change that moves the request to a new address).
   - A refusal (400) or a change made meanwhile (409) comes back as parts of the page like
     a success does, so htmx swaps them in too: the error shows where the action was.
   Without JavaScript the server carries the drafts itself (desk/views/drafts.py). */
(function () {
  "use strict";

  var PREFIX = "inhouse-draft:";
  var leaving = false;

  // A draft's place is a form, or a part of one whose boxes belong to another form.
  function box(form) { return form.querySelector("textarea"); }

  function store(form) {
    var textarea = box(form);
    if (!textarea) { return; }
    var key = PREFIX + form.getAttribute("data-draft");
    try {
      if (textarea.value.trim()) { window.sessionStorage.setItem(key, textarea.value); }
      else { window.sessionStorage.removeItem(key); }
    } catch (ignored) { /* storage full or switched off: the page still works */ }
  }

  function drafts() { return Array.prototype.slice.call(document.querySelectorAll("[data-draft]")); }

  // What the server put in a box (an error kept it, or a draft came along) is the newer text.
  drafts().forEach(function (form) {
    var textarea = box(form);
    var kept = null;
    try { kept = window.sessionStorage.getItem(PREFIX + form.getAttribute("data-draft")); } catch (ignored) { kept = null; }
    if (textarea && !textarea.value && kept) { textarea.value = kept; } else { store(form); }
  });

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("[data-draft]");
    if (form && event.target.tagName === "TEXTAREA") { store(form); }
  });

  // After a swap a sent form comes back empty (forget its draft) or with its errors (keep it).
  document.addEventListener("htmx:afterSettle", function () { drafts().forEach(store); });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:beforeOnLoad", function (event) {
    // The server sends the browser on (a transfer gave the request a new address) and
    // keeps the drafts for the page it sends it to.
    if (event.detail.xhr.getResponseHeader("HX-Redirect")) { leaving = true; }
  });

  window.addEventListener("beforeunload", function (event) {
    if (leaving) { return; }
    var unsent = drafts().some(function (form) { var textarea = box(form); return textarea && textarea.value.trim(); });
    if (unsent) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // A plain submit (no htmx) carries the page's boxes with it: no need to ask. Registered
  // after the page's other submit handlers, so one they took over does not count.
  window.addEventListener("load", function () {
    document.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      leaving = true;
      var form = event.target;
      var own = !event.submitter || !event.submitter.hasAttribute("formaction");
      if (own && form.hasAttribute("data-draft")) {
        // Its text is being sent: a refusal brings it back in the box, a success must not.
        try { window.sessionStorage.removeItem(PREFIX + form.getAttribute("data-draft")); } catch (ignored) { /* as above */ }
      }
    });
  });
})();
