// One unit over time: a small line per quantity (i, f, g, o, c, h ...) on a shared time axis,
// with the selected step marked. Gates on [0, 1]; the others on a range symmetric around 0.

import { fmt } from "./palette.js";
import { quantities, valuesOf } from "./quantities.js";

const NS = "http://www.w3.org/2000/svg";
const W = 320;
const ROW = 40;
const LEFT = 34;
const RIGHT = 58;

function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function unitPlot(run, u, t) {
  const list = quantities(run.cell);
  const height = ROW * list.length + 16;
  const svg = el("svg", { viewBox: `0 0 ${W} ${height}`, class: "unit-svg", role: "img" });
  const T = run.T;
  const X = (k) => LEFT + (k / Math.max(T - 1, 1)) * (W - LEFT - RIGHT);
  const parts = [];
  list.forEach((q, row) => {
    const values = valuesOf(run, q.name).map((r) => r[u]);
    let lo = 0;
    let hi = 1;
    if (q.kind !== "gate") {
      const m = Math.max(1e-9, ...values.map(Math.abs), q.kind === "bounded" ? 1 : 0);
      lo = -m;
      hi = m;
    }
    const top = row * ROW + 4;
    const Y = (v) => top + (ROW - 10) * (1 - (v - lo) / (hi - lo));
    const base = q.kind === "gate" ? 0.5 : 0;
    svg.append(el("line", { x1: LEFT, x2: W - RIGHT, y1: Y(base), y2: Y(base), class: "baseline" }));
    svg.append(el("text", { x: 4, y: top + ROW / 2, class: "row-label" }, q.name));
    const d = values.map((v, k) => `${k ? "L" : "M"}${X(k).toFixed(1)} ${Y(v).toFixed(1)}`).join(" ");
    svg.append(el("path", { d, class: "unit-line" }));
    svg.append(el("circle", { cx: X(t), cy: Y(values[t]), r: 3.2, class: "unit-dot" }));
    svg.append(el("text", { x: W - RIGHT + 6, y: top + ROW / 2, class: "row-value" }, fmt(values[t], 2)));
    parts.push(`${q.name} ${fmt(values[t])}`);
  });
  svg.append(el("line", { x1: X(t), x2: X(t), y1: 0, y2: ROW * list.length, class: "unit-step" }));
  svg.append(el("text", { x: LEFT, y: height - 2, class: "tick" }, "step 1"));
  svg.append(el("text", { x: W - RIGHT, y: height - 2, "text-anchor": "end", class: "tick" }, `step ${T}`));
  const title = el("title", {}, `Unit ${u + 1} over ${T} steps`);
  const desc = el("desc", {}, `At step ${t + 1}: ${parts.join(", ")}.`);
  svg.prepend(title, desc);
  return svg;
}
