// "Predict before you look": an optional card beside a preset's run. The results show at once;
// only if the learner chooses to predict are they blurred until the answer is in. The server
// checks the answer against the run's numbers, counts it in their progress, and remembers (per
// learner, per preset) that the card was answered or dismissed, so it is offered at most once;
// a setting turns it off altogether.

import { ApiError, getJSON, postJSON } from "./api.js";

export class Predict {
  /** onStart(): blur the results; onReveal(evidence | null): unblur, highlight the evidence. */
  constructor(root, { onStart, onReveal }) {
    this.root = root;
    this.onStart = onStart;
    this.onReveal = onReveal;
    this.offer = root.querySelector("[data-predict-offer]");
    this.ask_ = root.querySelector("[data-predict-ask]");
    this.question = root.querySelector("[data-predict-question]");
    this.choices = root.querySelector("[data-predict-choices]");
    this.result = root.querySelector("[data-predict-result]");
    this.verdict = root.querySelector("[data-predict-verdict]");
    this.explanation = root.querySelector("[data-predict-explanation]");
    this.stats = root.querySelector("[data-predict-stats]");
    this.status = { enabled: true, asked: [] };
    this.loaded = getJSON("/api/lab/prompts")
      .then((data) => (this.status = data))
      .catch(() => (this.status = { enabled: false, asked: [] })); // unknown: never in the way
    root.querySelector('[data-action="predict-start"]').addEventListener("click", () => this.start());
    root.querySelector('[data-action="predict-dismiss"]').addEventListener("click", () => this.dismiss());
    root.querySelector('[data-action="predict-skip"]').addEventListener("click", () => {
      this.hide();
      this.onReveal(null);
    });
  }

  /** Offer the card for this run's question, unless the learner said no or was asked. */
  async ask(question, request, preset) {
    this.current = null;
    await this.loaded;
    if (!question || !preset || !this.status.enabled || this.status.asked.includes(preset)) {
      this.hide();
      return;
    }
    this.current = { question, request, preset };
    this.offer.hidden = false;
    this.ask_.hidden = true;
    this.result.hidden = true;
    this.root.classList.remove("is-right", "is-wrong");
    this.root.hidden = false;
  }

  start() {
    const { question } = this.current;
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
    this.offer.hidden = true;
    this.ask_.hidden = false;
    this.onStart();
    this.choices.querySelector("button")?.focus();
  }

  async dismiss() {
    const preset = this.current?.preset;
    this.hide();
    if (!preset) return;
    this.status.asked.push(preset);
    try {
      await postJSON("/api/lab/prompts", { preset });
    } catch {
      // Not remembered on the server: it may be offered once more, never in the way.
    }
  }

  hide() {
    this.root.hidden = true;
  }

  async answer(value) {
    const { question, request, preset } = this.current;
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
    this.status.asked.push(preset);
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
    this.result.hidden = false;
    this.result.focus();
    this.onReveal(data.evidence);
  }
}
