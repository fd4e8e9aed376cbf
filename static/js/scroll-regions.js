// Wide tables sit in .overflow-auto boxes that scroll sideways on small screens. A box that scrolls
// takes the keyboard focus (tabindex 0) so people without a mouse can scroll it with the arrow keys;
// it is named after its table's caption or the nearest heading. Without JavaScript it still scrolls.
(function () {
  function label(box) {
    var caption = box.querySelector("caption");
    if (caption) { return caption.textContent.trim(); }
    var el = box, heading = null;
    while (el && !heading) {
      var prev = el.previousElementSibling;
      while (prev && !/^H[1-6]$/.test(prev.tagName)) { prev = prev.previousElementSibling; }
      heading = prev;
      el = el.parentElement;
    }
    return heading ? heading.textContent.trim() + " (scrolls sideways)" : "Table (scrolls sideways)";
  }
  function mark() {
    document.querySelectorAll(".overflow-auto").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "0"); }
        if (!box.hasAttribute("role")) { box.setAttribute("role", "region"); }
        if (!box.hasAttribute("aria-label")) { box.setAttribute("aria-label", label(box)); }
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
})();
