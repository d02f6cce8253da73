// The input above the heatmaps, one cell per step so it lines up with their columns: a bar per
// value (the marked steps called out) for number sequences, the characters for text; with step
// numbers underneath. Decorative for screen readers: the same input is in the form and tables.

import { HEATMAP_GUTTER } from "./heatmap.js";

function div(cls, text) {
  const node = document.createElement("div");
  node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function inputStrip(run, selected) {
  const box = div("strip");
  if (!run.text && run.input?.[0]?.length !== 2) return box; // only text and [value, marker] rows
  box.setAttribute("aria-hidden", "true");
  const row = div("strip-row");
  const label = div("strip-label", run.text ? "text" : "x");
  label.style.width = `${HEATMAP_GUTTER}px`;
  const cells = div("strip-cells");
  const T = run.T;
  for (let t = 0; t < T; t++) {
    const cell = div(`strip-cell${t === selected ? " selected" : ""}`);
    if (run.text) {
      cell.classList.add("char");
      cell.textContent = run.text[t] === " " ? "·" : run.text[t];
    } else if (run.input?.[t]?.length === 2) {
      const [value, marker] = run.input[t];
      if (marker === 1) cell.classList.add("marked");
      const bar = div("strip-bar");
      bar.style.height = `${Math.round(Math.max(0.04, Math.min(1, Math.abs(value))) * 100)}%`;
      cell.append(bar);
    }
    cells.append(cell);
  }
  row.append(label, cells);
  const ticks = div("strip-row strip-ticks");
  const pad = div("strip-label");
  pad.style.width = `${HEATMAP_GUTTER}px`;
  const tickCells = div("strip-cells");
  const every = T <= 20 ? 5 : T <= 60 ? 10 : T <= 200 ? 25 : 50;
  for (let t = 0; t < T; t++) {
    const step = t + 1;
    tickCells.append(div("strip-tick", step === 1 || step % every === 0 ? String(step) : ""));
  }
  ticks.append(pad, tickCells);
  box.append(row, ticks);
  return box;
}
