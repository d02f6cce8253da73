// The card page: type an answer first (A), reveal on Space, Enter or click (Ctrl+Enter from the
// answer box), see which key points the answer covered; suspend (!), flag (Ctrl+1..4) and note;
// arrows go to the previous or next card.
import { badges, lazyNoteEditor, marksControls } from "./marks.js";
import { markScrollable } from "./overflow.js";

const page = document.querySelector("[data-card-page]");
const slug = () => page.dataset.slug;
const button = document.querySelector("[data-reveal]");
const answer = document.querySelector("[data-answer]");
const shownAt = performance.now();

// The answer box's code is fetched when the learner first asks for it (A or its button): a card
// read without typing an answer never loads it.
const box = document.querySelector("[data-recall-box]");
let recall = null;
async function recallReady() {
  if (!recall) {
    const { recallBox } = await import("./recall.js");
    recall = recallBox(box, document.querySelector("[data-recall-result]"), {
      onReveal: (what) => (what === "reveal" ? reveal() : button?.focus()),
    });
  }
  return recall;
}
async function openRecall() {
  (await recallReady()).open();
}
box.querySelector("[data-recall-open]").addEventListener("click", openRecall, { once: true });

const marks = marksControls(document.querySelector("[data-marks]"), document.querySelector("[data-marks-status]"), {
  slug,
  onChange: (m) => {
    document.querySelector("[data-marks-badges]").innerHTML = badges(m);
  },
});
lazyNoteEditor(document.querySelector("[data-note]"), { slug });

function reveal() {
  if (!answer || answer.classList.contains("revealed")) return;
  answer.classList.add("revealed");
  markScrollable(answer);
  button?.setAttribute("aria-expanded", "true");
  button?.setAttribute("hidden", "");
  const typed = recall ? recall.answer() : "";
  box.hidden = true;
  if (recall) recall.check(slug(), Math.round(performance.now() - shownAt));
  const heading = answer.querySelector(typed ? "[data-recall-result] h2" : "h2");
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
  if (marks.onKey(event)) return;
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (typingOrControl(event.target)) return;
  if ((event.key === "a" || event.key === "A") && !event.shiftKey && answer && !answer.classList.contains("revealed")) {
    event.preventDefault();
    openRecall();
  } else if (event.shiftKey) {
    return;
  } else if (event.key === " " || event.key === "Enter") {
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
