// Councils' own behaviour on top of htmx, in a file so that the Content-Security-Policy can refuse
// every inline script and every string evaluated as code (htmx's "[...]" trigger filters are).
"use strict";

// An element makes no request while the focus is on an element matching its
// data-skip-while-focused selector (a live list must not wipe away the outcome a reader is
// reading), or while an element matching its data-skip-while-present selector exists (a request
// of the reader's own is on its way, and its answer comes first).
document.addEventListener("htmx:confirm", function (event) {
  var elt = event.detail.elt;
  var focusedSelector = elt.getAttribute("data-skip-while-focused");
  var presentSelector = elt.getAttribute("data-skip-while-present");
  var focused = document.activeElement;
  if (focusedSelector && focused && focused.matches(focusedSelector)) {
    event.preventDefault();
  } else if (presentSelector && document.querySelector(presentSelector)) {
    event.preventDefault();
  }
});
