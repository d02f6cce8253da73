// Small SVG line charts: linear or log y, ticks, a legend drawn as direct labels at line ends,
// optional vertical marks. Colours come from CSS classes (.series-0 ...) so both themes work;
// every series also has its own dash pattern, so colour is never the only cue.

import { fmt } from "./palette.js";

const NS = "http://www.w3.org/2000/svg";
export const DASHES = ["", "6 3", "2 3", "10 3 2 3", "1 2", "8 4 2 4 2 4"];

function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function niceTicks(min, max, count = 5) {
  const span = max - min || 1;
  const step0 = span / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? mag * 10;
  const out = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

function superscript(n) {
  const map = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
  return String(n).split("").map((c) => map[c] ?? c).join("");
}

/**
 * series: [{label, points: [[x, y]], cls?}]; opts: {width, height, xLabel, yLabel, log, yMin,
 * yMax, xMin, xMax, marks: [{x, label}], hlines: [{y, label}], title, desc}.
 * Points with y ≤ 0 on a log scale are drawn at the floor (exact zeros, e.g. truncated BPTT).
 */
export function lineChart(series, opts) {
  const W = opts.width ?? 640;
  const H = opts.height ?? 300;
  // With a legend (opts.legend) the labels live in an HTML list beside the chart, so they can
  // never collide or be clipped; otherwise they are drawn at the line ends.
  const m = { left: 58, right: opts.legend ? 16 : opts.labelRoom ?? 150, top: 14, bottom: 40 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const xMin = opts.xMin ?? Math.min(...xs);
  const xMax = opts.xMax ?? Math.max(...xs);
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((y) => (opts.log ? y > 0 : Number.isFinite(y)));
  let yMin = opts.yMin ?? Math.min(...ys);
  let yMax = opts.yMax ?? Math.max(...ys);
  if (opts.log) {
    yMin = 10 ** Math.floor(Math.log10(Math.max(yMin, 1e-300)));
    yMax = 10 ** Math.ceil(Math.log10(Math.max(yMax, yMin * 10)));
  } else if (yMin === yMax) {
    yMin -= 1;
    yMax += 1;
  }
  const fy = opts.log ? (y) => Math.log10(Math.max(y, yMin)) : (y) => y;
  const lo = fy(yMin);
  const hi = fy(yMax);
  const X = (x) => m.left + ((x - xMin) / (xMax - xMin || 1)) * pw;
  const Y = (y) => m.top + ph - ((fy(y) - lo) / (hi - lo || 1)) * ph;

  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart-svg", role: "img" });
  const id = `c-${Math.random().toString(36).slice(2, 8)}`;
  svg.append(el("title", { id: `${id}-t` }, opts.title ?? "Chart"), el("desc", { id: `${id}-d` }, opts.desc ?? ""));
  svg.setAttribute("aria-labelledby", `${id}-t ${id}-d`);

  const grid = el("g", { class: "grid" });
  const yTicks = [];
  if (opts.log) {
    const span = Math.round(hi - lo);
    const every = Math.max(1, Math.ceil(span / 7));
    for (let e = Math.round(lo); e <= Math.round(hi); e += every) yTicks.push([10 ** e, `10${superscript(e)}`]);
  } else {
    for (const v of niceTicks(yMin, yMax, 5)) yTicks.push([v, fmt(v, 2)]);
  }
  for (const [v, text] of yTicks) {
    grid.append(el("line", { x1: m.left, x2: m.left + pw, y1: Y(v), y2: Y(v) }));
    grid.append(el("text", { x: m.left - 6, y: Y(v) + 4, "text-anchor": "end", class: "tick" }, text));
  }
  for (const v of niceTicks(xMin, xMax, 8)) {
    grid.append(el("line", { x1: X(v), x2: X(v), y1: m.top + ph, y2: m.top + ph + 4, class: "tick-mark" }));
    grid.append(el("text", { x: X(v), y: m.top + ph + 17, "text-anchor": "middle", class: "tick" }, String(v)));
  }
  grid.append(el("line", { x1: m.left, x2: m.left + pw, y1: m.top + ph, y2: m.top + ph, class: "axis" }));
  grid.append(el("line", { x1: m.left, x2: m.left, y1: m.top, y2: m.top + ph, class: "axis" }));
  grid.append(el("text", { x: m.left + pw / 2, y: H - 4, "text-anchor": "middle", class: "axis-label" }, opts.xLabel ?? ""));
  const yl = el("text", { x: 14, y: m.top + ph / 2, "text-anchor": "middle", class: "axis-label", transform: `rotate(-90 14 ${m.top + ph / 2})` }, opts.yLabel ?? "");
  grid.append(yl);
  svg.append(grid);

  for (const line of opts.hlines ?? []) {
    svg.append(el("line", { x1: m.left, x2: m.left + pw, y1: Y(line.y), y2: Y(line.y), class: "hline" }));
    svg.append(el("text", { x: m.left + pw - 4, y: Y(line.y) - 5, "text-anchor": "end", class: "mark-label" }, line.label));
  }
  for (const mark of opts.marks ?? []) {
    svg.append(el("line", { x1: X(mark.x), x2: X(mark.x), y1: m.top, y2: m.top + ph, class: `vmark ${mark.cls ?? ""}` }));
    if (mark.label) svg.append(el("text", { x: X(mark.x) + 4, y: m.top + 12, class: "mark-label" }, mark.label));
  }

  // Lines, then their labels at the right end, nudged apart so none overlap.
  const ends = [];
  series.forEach((s, k) => {
    if (!s.points.length) return;
    const d = s.points.map(([x, y], j) => `${j ? "L" : "M"}${X(x).toFixed(1)} ${Y(y).toFixed(1)}`).join(" ");
    const attrs = { d, class: `series ${s.cls ?? `series-${k}`}` };
    const dash = s.dash ?? DASHES[k % DASHES.length];
    if (dash) attrs["stroke-dasharray"] = dash;
    svg.append(el("path", attrs));
    const last = s.points[s.points.length - 1];
    ends.push({ y: Y(last[1]), x: X(last[0]), label: s.label, cls: s.cls ?? `series-${k}` });
  });
  if (opts.legend) return svg;
  ends.sort((a, b) => a.y - b.y);
  for (let k = 1; k < ends.length; k++) ends[k].y = Math.max(ends[k].y, ends[k - 1].y + 14);
  for (const end of ends) {
    svg.append(el("text", { x: m.left + pw + 8, y: end.y + 4, class: `end-label ${end.cls}` }, end.label));
  }
  return svg;
}

/** A legend for lineChart(series, {legend: true}): each label with a sample of its line, in the
 * same colour class and dash pattern, as an HTML list that wraps on narrow screens. */
export function chartLegend(series) {
  const list = document.createElement("ul");
  list.className = "chart-legend";
  series.forEach((s, k) => {
    const li = document.createElement("li");
    const svg = el("svg", { viewBox: "0 0 32 10", width: 32, height: 10, "aria-hidden": "true", class: "legend-line" });
    const attrs = { x1: 1, x2: 31, y1: 5, y2: 5, class: `series ${s.cls ?? `series-${k}`}` };
    const dash = s.dash ?? DASHES[k % DASHES.length];
    if (dash) attrs["stroke-dasharray"] = dash;
    svg.append(el("line", attrs));
    const label = document.createElement("span");
    label.textContent = s.label;
    li.append(svg, label);
    list.append(li);
  });
  return list;
}

/** A table of the same numbers: one row per x, one column per series. */
export function seriesTable(series, xLabel, caption) {
  const table = document.createElement("table");
  table.className = "values";
  const cap = document.createElement("caption");
  cap.textContent = caption;
  const head = document.createElement("tr");
  for (const text of [xLabel, ...series.map((s) => s.label)]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = text;
    head.append(th);
  }
  const thead = document.createElement("thead");
  thead.append(head);
  const body = document.createElement("tbody");
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const lookup = series.map((s) => new Map(s.points));
  for (const x of xs) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = String(x);
    tr.append(th);
    for (const map of lookup) {
      const td = document.createElement("td");
      const y = map.get(x);
      td.textContent = y === undefined ? "" : y === 0 ? "0" : y.toPrecision(3);
      tr.append(td);
    }
    body.append(tr);
  }
  table.append(cap, thead, body);
  return table;
}
