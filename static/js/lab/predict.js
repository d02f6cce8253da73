// Predict, then see: before a preset's result is shown the learner may commit to an answer to a
// question generated from that very run. The server checks it against the run's numbers and
// counts it in their progress; the evidence is then highlighted where it lives.

import { ApiError, postJSON } from "./api.js";

const STORE = "lab-answered-v1";

function answered() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) || "{}");
  } catch {
    return {};
  }
}

function remember(id, how) {
  const all = answered();
  all[id] = how;
  try {
    sessionStorage.setItem(STORE, JSON.stringify(all));
  } catch {
    // Not remembered: the question is asked again after a reload, and counted once anyway.
  }
}

export class Predict {
  /** onReveal(evidence | null): show the results, with the evidence highlighted if any. */
  constructor(root, { onReveal }) {
    this.root = root;
    this.onReveal = onReveal;
    this.question = root.querySelector("[data-predict-question]");
    this.choices = root.querySelector("[data-predict-choices]");
    this.result = root.querySelector("[data-predict-result]");
    this.verdict = root.querySelector("[data-predict-verdict]");
    this.explanation = root.querySelector("[data-predict-explanation]");
    this.stats = root.querySelector("[data-predict-stats]");
    this.skip = root.querySelector('[data-action="skip-predict"]');
    this.skip.addEventListener("click", () => {
      if (this.current) remember(this.current.question.id, "skipped");
      this.hide();
      this.onReveal(null);
    });
  }

  /** Ask (returns true: keep the results hidden) unless this question was seen already. */
  ask(question, request) {
    this.current = null;
    if (!question || answered()[question.id]) {
      this.hide();
      return false;
    }
    this.current = { question, request };
    this.question.textContent = question.text;
    this.choices.replaceChildren(
      ...question.choices.map((choice) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button";
        button.textContent = choice.label;
        button.dataset.choice = choice.value;
        button.addEventListener("click", () => this.answer(choice.value));
        return button;
      }),
    );
    this.result.hidden = true;
    this.skip.parentElement.hidden = false;
    this.root.classList.remove("is-right", "is-wrong");
    this.root.hidden = false;
    return true;
  }

  hide() {
    this.root.hidden = true;
  }

  async answer(value) {
    const { question, request } = this.current;
    for (const button of this.choices.querySelectorAll("button")) button.disabled = true;
    let data;
    try {
      data = await postJSON("/api/lab/predictions", { ...request, question_id: question.id, answer: value });
    } catch (error) {
      for (const button of this.choices.querySelectorAll("button")) button.disabled = false;
      this.verdict.textContent = error instanceof ApiError ? error.message : "Could not record the answer.";
      this.result.hidden = false;
      return;
    }
    remember(question.id, "answered");
    for (const button of this.choices.querySelectorAll("button")) {
      const mine = button.dataset.choice === value;
      const right = button.dataset.choice === data.truth;
      button.setAttribute("aria-pressed", mine ? "true" : "false");
      if (right) button.classList.add("is-truth");
    }
    this.root.classList.toggle("is-right", data.correct_answer);
    this.root.classList.toggle("is-wrong", !data.correct_answer);
    const counted = data.counted ? "" : " (you answered this one before; the first answer counts)";
    this.verdict.textContent = data.correct_answer
      ? `Right: the answer is “${data.truth_label}”.${counted}`
      : `Not this time: the answer is “${data.truth_label}”.${counted}`;
    this.explanation.textContent = data.explanation;
    this.stats.textContent = `Predictions so far: ${data.made} made, ${data.correct} right. They count in your progress.`;
    this.skip.parentElement.hidden = true;
    this.result.hidden = false;
    this.result.focus();
    this.onReveal(data.evidence);
  }
}
