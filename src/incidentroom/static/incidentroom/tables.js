// A table too wide for a phone scrolls inside its own box (site.css); a box that scrolls must
// be reachable from the keyboard, so it joins the tab order only while it actually scrolls.
(function () {
  function mark() {
    document.querySelectorAll("main table.govuk-table").forEach(function (table) {
      var scrolls = table.scrollWidth > table.clientWidth + 1;
      if (scrolls && !table.hasAttribute("tabindex")) {
        table.setAttribute("tabindex", "0");
        table.dataset.irScroll = "1";
      } else if (!scrolls && table.dataset.irScroll) {
        table.removeAttribute("tabindex");
        delete table.dataset.irScroll;
      }
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("resize", mark);
  document.addEventListener("htmx:afterSettle", mark);
})();
