// The guided tour of a card's lab: the card's "what to look for" first, then the steps written
// for its question (questions/lab/NN-slug.yaml, rendered into the page). Each step may select a
// view, a gate, a unit, a step, a held value or a unit-search feature; Back and Next walk
// through them, and the step number is part of the link.

export class Tour {
  /** root: [data-tour] (absent without a card); apply(step): select what a step talks about. */
  constructor(root, { apply, onChange }) {
    this.root = root;
    this.apply = apply;
    this.onChange = onChange;
    this.steps = root ? [...root.querySelectorAll("[data-tour-step]")] : [];
    this.k = 0;
    if (!root) return;
    this.back = root.querySelector('[data-action="tour-back"]');
    this.next = root.querySelector('[data-action="tour-next"]');
    this.position = root.querySelector("[data-tour-pos]");
    root.classList.add("is-touring");
    root.querySelector("[data-tour-nav]").hidden = false;
    this.back.addEventListener("click", () => this.go(this.k - 1, true));
    this.next.addEventListener("click", () => this.go(this.k + 1, true));
  }

  /** Show step k (0-based); with act, also select what it talks about. */
  go(k, act = false) {
    if (!this.steps.length) return;
    this.k = Math.max(0, Math.min(this.steps.length - 1, k));
    this.steps.forEach((li, j) => {
      li.hidden = j !== this.k;
      li.classList.toggle("is-current", j === this.k);
    });
    this.position.textContent = `Step ${this.k + 1} of ${this.steps.length}`;
    this.back.disabled = this.k === 0;
    this.next.disabled = this.k === this.steps.length - 1;
    this.onChange(this.k + 1);
    if (act) this.apply(this.step(this.k));
  }

  /** What step k selects: {tab, gate, unit, step, hold, feature}, each possibly undefined. */
  step(k) {
    const data = this.steps[k].dataset;
    const int = (v) => (v ? Number.parseInt(v, 10) : undefined);
    return { tab: data.goTab, gate: data.goGate, unit: int(data.goUnit), step: int(data.goStep), hold: data.goHold, feature: data.goFeature };
  }

  /** After the first run: open the tour at the URL's step (or the first one). */
  configure(run, start) {
    if (!this.steps.length || this.started) return;
    this.started = true;
    this.go((start ?? 1) - 1, false);
  }
}
