// Ticks each hold's "time left" down in place on the desk's offers page.
// The server renders the figure (h:mm:ss) in data-countdown (seconds) and as text, so the
// page reads right without this script; counting from the server's figure, not the
// browser's clock, keeps a wrong clock from showing a wrong time.
(function () {
  "use strict";
  var items = document.querySelectorAll("[data-countdown]");
  if (!items.length) return;
  var start = Date.now();
  function two(n) { return n < 10 ? "0" + n : String(n); }
  function clock(s) { return Math.floor(s / 3600) + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60); }
  function tick() {
    var gone = Math.floor((Date.now() - start) / 1000);
    for (var i = 0; i < items.length; i++) {
      var el = items[i];
      var left = Number(el.getAttribute("data-countdown")) - gone;
      if (left > 0) {
        el.textContent = clock(left);
      } else {
        el.textContent = el.getAttribute("data-expired");
        el.classList.add("expired");
      }
    }
  }
  tick();
  setInterval(tick, 1000);
})();
