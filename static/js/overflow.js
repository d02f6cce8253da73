// Formulas that are wider than their box scroll sideways; a scrollable region must be reachable by
// keyboard (WCAG 2.1.1), so each one that overflows becomes a focusable, labelled region.
export function markScrollable(root = document) {
  for (const box of root.querySelectorAll(".math, .table-scroll")) {
    const overflows = box.scrollWidth > box.clientWidth + 1;
    if (overflows && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("role")) {
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", "Formula, scrolls sideways");
      }
      box.dataset.scrollMarked = "";
    } else if (!overflows && box.hasAttribute("data-scroll-marked")) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
      delete box.dataset.scrollMarked;
    }
  }
}
