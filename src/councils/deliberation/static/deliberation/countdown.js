// Countdowns of speakers: every element with data-ends-at (an ISO moment) shows the time left as
// m:ss, and "over time" once it is past. Runs every second over whatever is on the page, so a
// fragment swapped in by a live update counts down without anything else to do.
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var nodes = document.querySelectorAll("[data-ends-at]");
    var now = Date.now();
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      var left = Math.round((Date.parse(node.getAttribute("data-ends-at")) - now) / 1000);
      var text;
      if (left >= 0) {
        text = Math.floor(left / 60) + ":" + pad(left % 60);
        node.classList.remove("overtime");
      } else {
        text = node.getAttribute("data-over") + " " + Math.floor(-left / 60) + ":" + pad(-left % 60);
        node.classList.add("overtime");
      }
      if (node.textContent !== text) { node.textContent = text; }
    }
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
})();
