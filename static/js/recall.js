// Active recall: the learner types an answer before revealing; on reveal the server says which key
// points it covered (POST /api/recall/check) and the learner may tick or untick each one. The
// suggested rating follows the ticks by the server's rule (app/study/recall.py suggest_rating).
import { api } from "./api.js";

const LABELS = ["", "Again", "Hard", "Good", "Easy"];

export function suggest(covered, total, ms, quickMs) {
  if (!covered || !total) return 1;
  if (covered === total && ms != null && ms <= quickMs) return 4;
  return covered * 2 > total ? 3 : 2;
}

function escapeText(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}

// box: the [data-recall-box] element; result: the [data-recall-result] section.
// onSuggest(rating) is called whenever the suggestion changes (null when there is none).
export function recallBox(box, result, { onSuggest = () => {}, onReveal = () => {} } = {}) {
  const openButton = box.querySelector("[data-recall-open]");
  const form = box.querySelector("[data-recall-form]");
  const textarea = box.querySelector("[data-recall-text]");
  const list = result.querySelector("[data-recall-points]");
  const summary = result.querySelector("[data-recall-summary]");
  const echo = result.querySelector("[data-recall-echo]");
  let state = null; // { total, ms, quickMs }

  function open() {
    form.hidden = false;
    openButton.setAttribute("aria-expanded", "true");
    openButton.hidden = true;
    textarea.focus();
  }

  function ticked() {
    return Array.from(list.querySelectorAll("input[type=checkbox]"))
      .filter((input) => input.checked)
      .map((input) => Number(input.value));
  }

  function update() {
    if (!state) return;
    const points = ticked();
    const rating = suggest(points.length, state.total, state.ms, state.quickMs);
    summary.textContent = `You covered ${points.length} of ${state.total} key points. Suggested rating: ${LABELS[rating]}.`;
    for (const item of list.querySelectorAll("li")) {
      const on = item.querySelector("input").checked;
      const status = item.querySelector(".recall-status");
      status.textContent = on ? "Covered:" : "Not covered:";
      status.className = `recall-status ${on ? "covered" : "missed"}`;
    }
    onSuggest(rating);
  }

  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      textarea.blur();
      onReveal("focus");
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      onReveal("reveal");
    }
  });
  openButton.addEventListener("click", open);
  list.addEventListener("change", update);

  return {
    open,
    isTyping: () => document.activeElement === textarea,
    answer: () => textarea.value.trim(),
    points: () => (state ? ticked() : null),
    reset() {
      state = null;
      textarea.value = "";
      form.hidden = true;
      openButton.hidden = false;
      openButton.setAttribute("aria-expanded", "false");
      result.hidden = true;
      list.innerHTML = "";
      onSuggest(null);
    },
    hide() {
      box.hidden = true;
    },
    // Check the typed answer against the card; shows the result. No answer: nothing to check.
    async check(slug, ms) {
      box.hidden = true;
      const answer = textarea.value.trim();
      if (!answer) return null;
      result.hidden = false;
      summary.textContent = "Checking your answer…";
      echo.textContent = answer;
      try {
        const body = JSON.stringify({ card: slug, answer, duration_ms: ms });
        const found = await api("/api/recall/check", { method: "POST", body }, 2);
        state = { total: found.key_points.length, ms, quickMs: found.easy_within_ms };
        list.innerHTML = found.key_points
          .map((p) => {
            const id = `recall-point-${p.index}`;
            const evidence = p.evidence
              ? `<span class="evidence">You said: <q>${escapeText(p.evidence)}</q></span>`
              : "";
            return `<li><input type="checkbox" id="${id}" value="${p.index}"${p.covered ? " checked" : ""}>` +
              `<label for="${id}"><span class="recall-status"></span> ${p.html}${evidence}</label></li>`;
          })
          .join("");
        update();
        return found;
      } catch (error) {
        summary.textContent = `Your answer could not be checked: ${error.message} Compare it with the key points yourself.`;
        return null;
      }
    },
  };
}
