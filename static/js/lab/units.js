// Find the units that track something (LSTMVis's idea, computed live): choose a feature of the
// input, POST /api/lab/units ranks every unit by |r|, and the best units' activations are drawn
// under the text, one coloured band per character (or step), with r beside each. Clicking a
// unit selects it everywhere in the lab.

import { ApiError, postModel } from "./api.js";
import { css, fmt, legend } from "./palette.js";

export const FEATURES = {
  char: [
    ["inside-quotes", "Inside double quotes"],
    ["inside-parens", "Inside brackets ( [ {"],
    ["position-in-word", "Position in the word"],
    ["after-newline", "First character of a line"],
    ["is-vowel", "Is a vowel"],
    ["is-space", "Is a space"],
  ],
  adding: [
    ["after-first-marker", "After the first marker"],
    ["running-sum", "Running sum of the marked values"],
  ],
};
const SHOWN = 8; // bands drawn; the table lists every unit

function show(ch) {
  return ch === " " ? "␣" : ch === "\n" ? "↵" : ch;
}

export class UnitsView {
  /** root: #view-units; onSelect(unit 0-based); onChange({feature, quantity}) for the URL. */
  constructor(root, { onSelect, onChange }) {
    this.root = root;
    this.onSelect = onSelect;
    this.onChange = onChange;
    this.feature = root.querySelector("#units-feature");
    this.quantity = root.querySelector("#units-quantity");
    this.bands = root.querySelector("[data-unit-bands]");
    this.table = root.querySelector("[data-units-table]");
    this.error = root.querySelector("[data-units-error]");
    this.status = root.querySelector("[data-units-status]");
    this.request = 0;
    this.context = null;
    this.selected = null;
    root.querySelector("[data-units-form]").addEventListener("submit", (e) => {
      e.preventDefault();
      this.load();
    });
    for (const box of [this.feature, this.quantity]) box.addEventListener("change", () => this.load());
  }

  /** The run whose input is searched; the request that made it (preset or upload). */
  configure({ run, body, file, nonlinearity, feature, quantity, unit }) {
    const kind = run.text ? "char" : run.D === 2 ? "adding" : null;
    this.context = kind ? { run, body, file, nonlinearity, kind } : null;
    this.root.querySelector("[data-units-none]").hidden = Boolean(kind);
    this.root.querySelector("[data-units-form]").hidden = !kind;
    if (!kind) {
      this.bands.replaceChildren();
      this.table.replaceChildren();
      return;
    }
    const options = FEATURES[kind];
    this.feature.replaceChildren(
      ...options.map(([value, label]) => {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = label;
        return option;
      }),
    );
    this.feature.value = options.some(([v]) => v === feature) ? feature : options[0][0];
    const hasC = run.cell === "lstm";
    this.quantity.querySelector('option[value="c"]').disabled = !hasC;
    this.quantity.value = quantity === "c" && hasC ? "c" : "h";
    this.selected = unit;
    this.data = null;
  }

  async load() {
    if (!this.context) return;
    const { run, body, file, nonlinearity } = this.context;
    const request = { feature: this.feature.value, quantity: this.quantity.value };
    if (run.text) request.text = run.text;
    else request.input = run.input;
    this.onChange?.(request);
    const id = ++this.request;
    this.status.textContent = "Ranking the units…";
    try {
      // Only uploaded RNN weights say their nonlinearity; a preset's is fixed.
      const config = file && nonlinearity ? { ...request, nonlinearity } : request;
      const data = await postModel("/api/lab/units", { file, preset: body?.preset, config });
      if (id !== this.request) return;
      this.error.hidden = true;
      this.render(data);
      this.status.textContent = `Ranked ${data.units.length} units by how closely their ${data.quantity} follows “${this.feature.selectedOptions[0].textContent}”.`;
    } catch (error) {
      if (id !== this.request || !(error instanceof ApiError)) return;
      this.bands.replaceChildren();
      this.table.replaceChildren();
      this.status.textContent = "";
      this.error.textContent = error.message;
      this.error.hidden = false;
    }
  }

  render(data) {
    this.data = data;
    const labels = data.text ? [...data.text].map(show) : data.target.map((_, t) => String(t + 1));
    const grid = document.createElement("div");
    grid.className = "band-grid";
    grid.style.setProperty("--steps", String(data.T));
    // The x axis: the characters read (or the step numbers).
    grid.append(this.row("", labels.map((text) => ({ text })), "band-axis"));
    const tmax = Math.max(...data.target.map(Math.abs), 1e-9);
    const targetScale = { kind: "signed", min: -tmax, max: tmax };
    grid.append(
      this.row(
        `target: ${this.feature.selectedOptions[0].textContent}`,
        data.target.map((v, t) => ({ colour: css(targetScale, v), title: `${labels[t]}: ${fmt(v, 2)}` })),
        "band-target",
      ),
    );
    const m = data.quantity === "c" ? Math.max(...data.units.flatMap((u) => u.series.map(Math.abs)), 1e-9) : 1;
    const scale = { kind: data.quantity === "c" ? "signed" : "bounded", min: -m, max: m };
    for (const unit of data.units.slice(0, SHOWN)) {
      const cells = unit.series.map((v, t) => ({ colour: css(scale, v), title: `${labels[t]}: ${fmt(v, 2)}` }));
      grid.append(this.row(unit, cells, "band-unit"));
    }
    const key = document.createElement("div");
    key.className = "units-legend";
    key.append(legend(scale, { min: -m, max: m }));
    this.bands.replaceChildren(key, grid);
    this.table.replaceChildren(this.buildTable(data));
  }

  /** One band: a label (a unit's button, or text) and a coloured cell per step. */
  row(head, cells, cls) {
    const row = document.createElement("div");
    row.className = `band ${cls}`;
    const label = document.createElement("div");
    label.className = "band-label";
    if (typeof head === "object") {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "chip";
      button.dataset.unit = String(head.unit);
      button.textContent = `Unit ${head.unit + 1}`;
      button.setAttribute("aria-pressed", head.unit === this.selected ? "true" : "false");
      button.setAttribute("aria-label", `Select unit ${head.unit + 1} (r = ${fmt(head.r, 2)}) everywhere`);
      button.addEventListener("click", () => this.select(head.unit));
      const r = document.createElement("span");
      r.className = "band-r";
      r.textContent = `r = ${fmt(head.r, 2)}`;
      label.append(button, r);
    } else {
      label.textContent = head;
    }
    row.append(label);
    for (const cell of cells) {
      const span = document.createElement("span");
      span.className = "band-cell";
      if (cell.text !== undefined) span.textContent = cell.text;
      if (cell.colour) span.style.background = cell.colour;
      if (cell.title) span.title = cell.title;
      row.append(span);
    }
    row.setAttribute("aria-hidden", cls === "band-axis" || cls === "band-target" ? "true" : "false");
    return row;
  }

  select(unit) {
    this.selected = unit;
    for (const button of this.bands.querySelectorAll("button[data-unit]")) {
      button.setAttribute("aria-pressed", Number(button.dataset.unit) === unit ? "true" : "false");
    }
    this.onSelect(unit);
  }

  buildTable(data) {
    const table = document.createElement("table");
    table.className = "values";
    const caption = document.createElement("caption");
    caption.textContent = `Every unit ranked by |r| with “${this.feature.selectedOptions[0].textContent}” (${data.quantity})`;
    const head = document.createElement("tr");
    for (const text of ["rank", "unit", "r"]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = text;
      head.append(th);
    }
    const thead = document.createElement("thead");
    thead.append(head);
    const body = document.createElement("tbody");
    data.units.forEach((unit, k) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = String(k + 1);
      const u = document.createElement("td");
      u.textContent = String(unit.unit + 1);
      const r = document.createElement("td");
      r.textContent = fmt(unit.r, 3);
      tr.append(th, u, r);
      body.append(tr);
    });
    table.append(caption, thead, body);
    return table;
  }
}
