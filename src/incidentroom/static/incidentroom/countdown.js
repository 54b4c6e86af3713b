// Reporting clocks tick every second between the server's refreshes: every element with a
// data-deadline (ISO 8601) shows the time left in the same words as core/times.countdown.
(function () {
  "use strict";
  function pad(n) { return String(n).padStart(2, "0"); }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var s = Math.round((Date.parse(el.dataset.deadline) - now) / 1000);
      var late = s < 0;
      s = Math.abs(s);
      var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
      el.textContent = (d ? d + "d " : "") + h + "h " + pad(m) + "m " + pad(s % 60) + "s" + (late ? " overdue" : " left");
      el.classList.toggle("ir-overdue", late);
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", tick);
  tick();
})();
