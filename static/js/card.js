// The card page: reveal the answer on Space, Enter or click; arrows go to the previous or next card.
import { markScrollable } from "./overflow.js";

const button = document.querySelector("[data-reveal]");
const answer = document.querySelector("[data-answer]");

function reveal() {
  if (!answer || answer.classList.contains("revealed")) return;
  answer.classList.add("revealed");
  markScrollable(answer);
  button?.setAttribute("aria-expanded", "true");
  button?.setAttribute("hidden", "");
  const heading = answer.querySelector("h2");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: false });
  }
}

button?.addEventListener("click", reveal);

// Keys act only when no control has focus, so typing, buttons and links behave as usual.
function typingOrControl(target) {
  return target.closest?.("a, button, input, textarea, select, summary, [contenteditable]");
}

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  if (typingOrControl(event.target)) return;
  if (event.key === " " || event.key === "Enter") {
    if (answer && !answer.classList.contains("revealed")) {
      event.preventDefault();
      reveal();
    }
  } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
    const link = document.querySelector(event.key === "ArrowLeft" ? "[data-prev]" : "[data-next]");
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  }
});
