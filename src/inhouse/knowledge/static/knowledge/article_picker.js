// The reply box's article picker: an "Insert" button fetches an article's Markdown link
// (htmx, hx-swap="none") and this puts it at the cursor of the box it names.
document.addEventListener("htmx:afterRequest", (event) => {
  const button = event.detail.elt;
  if (!(button instanceof HTMLElement) || !button.dataset.insertInto || !event.detail.successful) {
    return;
  }
  const box = document.getElementById(button.dataset.insertInto);
  if (!(box instanceof HTMLTextAreaElement)) {
    return;
  }
  const link = event.detail.xhr.responseText;
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? start;
  box.setRangeText(link, start, end, "end");
  // Lets the page's draft keeping and autosize see the change as if typed.
  box.dispatchEvent(new Event("input", { bubbles: true }));
  box.focus();
});
