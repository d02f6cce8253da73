// "What if?": hold one unit's gate, candidate, c or h at a value over a range of steps. The
// server recomputes everything after the held value (POST /api/lab/run with interventions and
// the untouched baseline); the heatmaps can then show the change, and the readout shows
// before → after. Steps and units are 1-based on screen and in the URL, 0-based in the API.

import { fmt } from "./palette.js";

export const MAX_HOLDS = 8;
// The allowed range of a held value: σ gates [0, 1], tanh candidates [−1, 1], states wider.
const RANGES = { i: [0, 1], f: [0, 1], o: [0, 1], r: [0, 1], z: [0, 1], g: [-1, 1], n: [-1, 1], h: [-1, 1], c: [-5, 5] };
const NAMES = { i: "input gate", f: "forget gate", g: "candidate g", o: "output gate", c: "cell state", h: "hidden state", r: "reset gate", z: "update gate", n: "candidate n" };

export function rangeOf(quantity) {
  return RANGES[quantity] ?? [-1, 1];
}

/** "f.4.11.50.0~h.2.1.10.-0.5" (quantity.unit.from.to.value, 1-based, to inclusive) → holds. */
export function parseHolds(text) {
  if (!text) return [];
  const holds = [];
  for (const part of text.split("~").slice(0, MAX_HOLDS)) {
    const [q, unit, from, to, value] = splitFields(part);
    const h = { quantity: q, unit: Number(unit), from: Number(from), to: Number(to), value: Number(value) };
    if (RANGES[q] && [h.unit, h.from, h.to].every(Number.isInteger) && Number.isFinite(h.value) && h.from >= 1 && h.to >= h.from) holds.push(h);
  }
  return holds;
}

function splitFields(part) {
  // The value may hold its own dot ("0.25"): the first four fields never do.
  const fields = part.split(".");
  return [...fields.slice(0, 4), fields.slice(4).join(".")];
}

export function formatHolds(holds) {
  return holds.map((h) => `${h.quantity}.${h.unit}.${h.from}.${h.to}.${h.value}`).join("~");
}

/** The API's interventions for the holds (0-based, to_step exclusive). */
export function toInterventions(holds) {
  return holds.map((h) => ({ quantity: h.quantity, unit: h.unit - 1, from_step: h.from - 1, to_step: h.to, value: h.value }));
}

export function describe(h) {
  const steps = h.from === h.to ? `step ${h.from}` : `steps ${h.from}–${h.to}`;
  return `${h.quantity} (${NAMES[h.quantity] ?? h.quantity}) of unit ${h.unit}, ${steps}, held at ${fmt(h.value, 2)}`;
}

export class WhatIf {
  /** root: the [data-whatif] block; onChange(holds): run again with these holds. */
  constructor(root, { onChange }) {
    this.root = root;
    this.onChange = onChange;
    this.what = root.querySelector("[data-hold-what]");
    this.from = root.querySelector("#hold-from");
    this.to = root.querySelector("#hold-to");
    this.slider = root.querySelector("#hold-value");
    this.out = root.querySelector("[data-hold-out]");
    this.list = root.querySelector("[data-holds]");
    this.readout = root.querySelector("[data-hold-readout]");
    this.addButton = root.querySelector('[data-action="hold"]');
    this.clearButton = root.querySelector('[data-action="clear-holds"]');
    this.error = root.querySelector("[data-hold-error]");
    this.holds = [];
    this.target = null;
    this.slider.addEventListener("input", () => (this.out.textContent = fmt(Number(this.slider.value), 2)));
    this.addButton.addEventListener("click", () => this.add());
    this.clearButton.addEventListener("click", () => this.set([], true));
  }

  /** The square the next hold is about: quantity, 0-based unit and step, the run's T. */
  aim(quantity, u, t, T, current) {
    const before = this.target;
    const changed = !before || before.quantity !== quantity || before.T !== T;
    const moved = changed || before.u !== u || before.t !== t;
    this.target = { quantity, u, t, T };
    this.what.textContent = `${quantity} (${NAMES[quantity] ?? quantity}) of unit ${u + 1}`;
    const [lo, hi] = rangeOf(quantity);
    this.slider.min = String(lo);
    this.slider.max = String(hi);
    this.slider.step = quantity === "c" ? "0.05" : "0.01";
    this.slider.setAttribute("aria-valuetext", `${fmt(Number(this.slider.value), 2)} (allowed ${lo} to ${hi})`);
    this.root.querySelector("[data-hold-range]").textContent = `${fmt(lo, 0)} to ${fmt(hi, 0)}`;
    this.from.max = String(T);
    this.to.max = String(T);
    if (moved) this.from.value = String(t + 1);
    if (changed || (moved && Number(this.to.value) < t + 1)) this.to.value = String(T);
    if (changed && current !== undefined) {
      // Start the slider at the opposite end from the current value: a visible change.
      const mid = (lo + hi) / 2;
      this.slider.value = String(current > mid ? lo : hi);
    }
    this.out.textContent = fmt(Number(this.slider.value), 2);
  }

  add() {
    if (!this.target) return;
    const from = Number.parseInt(this.from.value, 10);
    const to = Number.parseInt(this.to.value, 10);
    const T = this.target.T;
    this.error.hidden = true;
    if (!(from >= 1 && to >= from && to <= T)) {
      this.error.textContent = `Steps: choose 1 ≤ from ≤ to ≤ ${T}.`;
      this.error.hidden = false;
      return;
    }
    if (this.holds.length >= MAX_HOLDS) {
      this.error.textContent = `At most ${MAX_HOLDS} held values: remove one first.`;
      this.error.hidden = false;
      return;
    }
    const hold = { quantity: this.target.quantity, unit: this.target.u + 1, from, to, value: Number(this.slider.value) };
    this.set([...this.holds, hold], true);
  }

  /** Replace the holds; notify (and so run again) when asked. */
  set(holds, notify = false) {
    this.holds = holds.slice(0, MAX_HOLDS);
    this.list.replaceChildren(
      ...this.holds.map((h, k) => {
        const li = document.createElement("li");
        const text = document.createElement("span");
        text.textContent = describe(h);
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "linkish";
        remove.textContent = "Remove";
        remove.setAttribute("aria-label", `Remove: ${describe(h)}`);
        remove.addEventListener("click", () => this.set(this.holds.filter((_, j) => j !== k), true));
        li.append(text, " ", remove);
        return li;
      }),
    );
    this.clearButton.hidden = this.holds.length === 0;
    this.root.classList.toggle("has-holds", this.holds.length > 0);
    if (notify) this.onChange(this.holds);
  }

  /** Before → after for the readout: the adding prediction, or the next character at step t. */
  showReadout(run, t) {
    if (!run?.baseline) {
      this.readout.hidden = true;
      return;
    }
    this.readout.hidden = false;
    if (run.prediction !== undefined && run.prediction !== null) {
      this.readout.textContent = `Prediction at the last step: ${fmt(run.baseline.prediction)} → ${fmt(run.prediction)}` + (run.target === null || run.target === undefined ? "" : ` (the marked values add up to ${fmt(run.target)})`);
    } else if (run.top5) {
      const [b, bp] = run.baseline.top5[t][0];
      const [a, ap] = run.top5[t][0];
      const show = (ch) => (ch === " " ? "space" : ch === "\n" ? "newline" : `“${ch}”`);
      this.readout.textContent = `Next character after step ${t + 1}: ${show(b)} ${(bp * 100).toFixed(0)}% → ${show(a)} ${(ap * 100).toFixed(0)}%`;
    } else {
      this.readout.hidden = true;
    }
  }
}

/** values − baseline, T × H (the "change" view). */
export function difference(values, base) {
  return values.map((row, t) => row.map((v, u) => v - base[t][u]));
}
