// Site-wide behaviour: the theme toggle cycles system -> light -> dark and remembers the choice.
import { markScrollable } from "./overflow.js";

markScrollable();
let resizeTimer;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => markScrollable(), 150);
});

const ORDER = ["system", "light", "dark"];
const root = document.documentElement;

function current() {
  return root.dataset.theme || "system";
}

function label(theme) {
  return `Theme: ${theme}`;
}

for (const button of document.querySelectorAll("[data-theme-toggle]")) {
  const text = button.querySelector(".theme-label");
  const show = () => {
    if (text) text.textContent = label(current());
    button.setAttribute("aria-label", `${label(current())}. Switch colour theme`);
  };
  show();
  button.addEventListener("click", () => {
    const next = ORDER[(ORDER.indexOf(current()) + 1) % ORDER.length];
    if (next === "system") delete root.dataset.theme;
    else root.dataset.theme = next;
    try {
      if (next === "system") localStorage.removeItem("theme");
      else localStorage.setItem("theme", next);
    } catch {
      // Not remembered, but applied for this page.
    }
    show();
  });
}

// Study days roll over at 4 am in the learner's zone: take it from the browser once, on the first
// visit; the settings page can change it later.
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
if (root.hasAttribute("data-tz-auto") && zone && zone !== "UTC") {
  try {
    if (!localStorage.getItem("tz-synced")) {
      fetch("/api/settings", {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ timezone: zone }),
        credentials: "same-origin",
      }).then((response) => {
        if (response.ok) localStorage.setItem("tz-synced", "1");
      });
    }
  } catch {
    // No storage: try again on the next page; nothing else depends on it.
  }
}

// A formula inside a <details> has no width until it opens.
document.addEventListener("toggle", (event) => markScrollable(event.target), true);
