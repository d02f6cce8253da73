// Runs in <head> before the first paint: marks that scripts run (so the answer can start hidden)
// and applies the remembered theme. "system" (no saved choice) follows prefers-color-scheme in CSS.
(() => {
  const root = document.documentElement;
  root.classList.add("js");
  try {
    const saved = localStorage.getItem("theme");
    if (saved === "light" || saved === "dark") root.dataset.theme = saved;
  } catch {
    // Storage can be blocked (private mode); the system theme still applies.
  }
})();
