// Site-wide behaviour: the theme toggle cycles system -> light -> dark and remembers the choice.
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
