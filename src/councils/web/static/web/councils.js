// Councils' own behaviour on top of htmx, in a file so that the Content-Security-Policy can refuse
// every inline script and every string evaluated as code (htmx's "[...]" trigger filters are).
"use strict";

// An element with data-skip-while-focused="SELECTOR" makes no request while the focus is on an
// element matching SELECTOR: a live list must not wipe away the outcome a reader is reading.
document.addEventListener("htmx:confirm", function (event) {
  var selector = event.detail.elt.getAttribute("data-skip-while-focused");
  var focused = document.activeElement;
  if (selector && focused && focused.matches(selector)) {
    event.preventDefault();
  }
});
