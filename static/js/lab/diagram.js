// The cell as a diagram (after Olah's "Understanding LSTM Networks" figures) with the selected
// step's numbers for the selected unit on every box, and one gate highlighted with its path.
// Built as SVG elements with attributes only (no inline style), rebuilt on every step.

import { css, fmt, scaleFor } from "./palette.js";

const NS = "http://www.w3.org/2000/svg";
const GATE_SCALE = scaleFor("gate", []);
const SIGNED_SCALE = { kind: "bounded", min: -1, max: 1 };

function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function path(points) {
  return points.map(([x, y], k) => `${k ? "L" : "M"}${x} ${y}`).join(" ");
}

/** Black or white text, whichever reads better on the box's fill. */
function ink(scale, v) {
  const [r, g, b] = css(scale, v).match(/\d+/g).map(Number);
  const lum = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  return lum > 0.55 ? "#111" : "#fff";
}

class Canvas {
  constructor(highlight, height = 256) {
    this.highlight = highlight;
    this.svg = el("svg", { viewBox: `0 0 360 ${height}`, class: "cell-diagram", role: "img" });
    this.wires = el("g", { class: "wires" });
    this.nodes = el("g", { class: "nodes" });
    this.svg.append(this.wires, this.nodes);
  }

  wire(points, gate, { dashed = false, arrow = false } = {}) {
    const cls = ["wire"];
    if (gate && gate === this.highlight) cls.push("hl");
    if (dashed) cls.push("peephole");
    const attrs = { d: path(points), class: cls.join(" ") };
    if (arrow) attrs["marker-end"] = "url(#lab-arrow)";
    this.wires.append(el("path", attrs));
  }

  box(x, y, gate, fn, value, scale) {
    const g = el("g", { class: `gate-box${gate === this.highlight ? " hl" : ""}`, "data-gate": gate });
    g.append(el("rect", { x: x - 22, y: y - 17, width: 44, height: 34, rx: 5, fill: css(scale, value) }));
    const colour = ink(scale, value);
    g.append(el("text", { x, y: y - 3, "text-anchor": "middle", class: "box-name", fill: colour }, `${gate} ${fn}`));
    g.append(el("text", { x, y: y + 11, "text-anchor": "middle", class: "box-value", fill: colour }, fmt(value, 2)));
    this.nodes.append(g);
  }

  op(x, y, symbol, gate, note, size = "") {
    const g = el("g", { class: `op${gate && gate === this.highlight ? " hl" : ""}` });
    g.append(el("circle", { cx: x, cy: y, r: 10 }));
    g.append(el("text", { x, y: y + 4, "text-anchor": "middle", class: `op-symbol ${size}` }, symbol));
    if (note) g.append(el("text", { x: x + 13, y: y - 8, class: "op-note" }, note));
    this.nodes.append(g);
  }

  label(x, y, text, anchor = "start", cls = "io-label") {
    this.nodes.append(el("text", { x, y, "text-anchor": anchor, class: cls }, text));
  }

  finish(title, desc) {
    const defs = el("defs");
    const marker = el("marker", { id: "lab-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" });
    marker.append(el("path", { d: "M0 0 L10 5 L0 10 z", class: "arrow-head" }));
    defs.append(marker);
    const id = `dgm-${Math.random().toString(36).slice(2, 8)}`;
    const titleEl = el("title", { id: `${id}-t` }, title);
    const descEl = el("desc", { id: `${id}-d` }, desc);
    this.svg.prepend(titleEl, descEl, defs);
    this.svg.setAttribute("aria-labelledby", `${id}-t ${id}-d`);
    return this.svg;
  }
}

function inputText(run, t) {
  if (run.text) return `x${sub("t")} = “${run.text[t] === " " ? "␣" : run.text[t]}”`;
  const row = run.input?.[t];
  if (!row) return `x${sub("t")}`;
  if (row.length === 2) return `x${sub("t")} = ${fmt(row[0], 2)}${row[1] === 1 ? " marked" : ""}`;
  return `x${sub("t")} (${row.length} inputs)`;
}

const SUBS = { t: "ₜ", "t-1": "₍ₜ₋₁₎" };
function sub(s) {
  return SUBS[s] ?? s;
}

function lstm(run, t, u, highlight) {
  const v = (name) => run.gates[name][t][u];
  const [i, f, g, o] = ["i", "f", "g", "o"].map(v);
  const c = run.c[t][u];
  const c0 = t > 0 ? run.c[t - 1][u] : 0;
  const h = run.h[t][u];
  const h0 = t > 0 ? run.h[t - 1][u] : 0;
  const d = new Canvas(highlight);
  // Cell state along the top: c_{t-1} → ×f → +(i·g) → c_t.
  d.wire([[18, 36], [90, 36]], "f");
  d.wire([[110, 36], [170, 36]], "c");
  d.wire([[190, 36], [338, 36]], "c", { arrow: true });
  d.label(18, 22, `c${sub("t-1")} = ${fmt(c0, 2)}`);
  d.label(340, 22, `c${sub("t")} = ${fmt(c, 2)}`, "end", "io-label strong");
  // Inputs along the bottom, up into every gate.
  d.wire([[18, 214], [250, 214]], null);
  d.wire([[56, 250], [56, 214]], null);
  d.label(18, 207, `h${sub("t-1")} = ${fmt(h0, 2)}`);
  d.label(64, 248, inputText(run, t));
  for (const [x, gate] of [[100, "f"], [150, "i"], [200, "g"], [250, "o"]]) d.wire([[x, 214], [x, 167]], gate);
  // f scales the old memory; i·g is written; o shows tanh(c).
  d.wire([[100, 133], [100, 46]], "f", { arrow: true });
  d.wire([[150, 133], [150, 96], [170, 96]], "i", { arrow: true });
  d.wire([[200, 133], [200, 96], [190, 96]], "g", { arrow: true });
  d.wire([[180, 86], [180, 46]], "i", { arrow: true });
  d.wire([[290, 36], [290, 85]], "h", { arrow: true });
  d.wire([[290, 107], [290, 140]], "h", { arrow: true });
  d.wire([[272, 150], [280, 150]], "o", { arrow: true });
  d.wire([[290, 160], [290, 214], [338, 214]], "h", { arrow: true });
  if (run.peepholes) {
    d.wire([[70, 36], [70, 150], [78, 150]], "f", { dashed: true });
    d.wire([[128, 36], [128, 133]], "i", { dashed: true });
    d.wire([[262, 36], [262, 133]], "o", { dashed: true });
  }
  d.op(100, 36, "×", "f", fmt(f * c0, 2));
  d.op(180, 96, "×", "i", fmt(i * g, 2));
  d.op(180, 36, "+", "c");
  d.nodes.append(el("ellipse", { cx: 290, cy: 96, rx: 19, ry: 11, class: `tanh${highlight === "h" ? " hl" : ""}` }));
  d.label(290, 100, "tanh", "middle", "op-symbol small");
  d.op(290, 150, "×", "h");
  d.box(100, 150, "f", "σ", f, GATE_SCALE);
  d.box(150, 150, "i", "σ", i, GATE_SCALE);
  d.box(200, 150, "g", "tanh", g, SIGNED_SCALE);
  d.box(250, 150, "o", "σ", o, GATE_SCALE);
  d.label(340, 232, `h${sub("t")} = ${fmt(h, 2)}`, "end", "io-label strong");
  const desc = `Step ${t + 1}, unit ${u + 1}: c(t−1) ${fmt(c0)}, forget gate ${fmt(f)}, input gate ${fmt(i)}, candidate ${fmt(g)}, c(t) ${fmt(c)}, output gate ${fmt(o)}, h(t) ${fmt(h)}.`;
  return d.finish(`${run.peepholes ? "Peephole LSTM" : "LSTM"} cell`, desc);
}

function gru(run, t, u, highlight) {
  const v = (name) => run.gates[name][t][u];
  const [r, z, n] = ["r", "z", "n"].map(v);
  const h = run.h[t][u];
  const h0 = t > 0 ? run.h[t - 1][u] : 0;
  const d = new Canvas(highlight);
  d.wire([[18, 36], [130, 36]], "z");
  d.wire([[150, 36], [220, 36]], "h");
  d.wire([[240, 36], [338, 36]], "h", { arrow: true });
  d.label(18, 22, `h${sub("t-1")} = ${fmt(h0, 2)}`);
  d.label(340, 22, `h${sub("t")} = ${fmt(h, 2)}`, "end", "io-label strong");
  d.wire([[18, 214], [230, 214]], null);
  d.wire([[56, 250], [56, 214]], null);
  d.label(18, 207, `h${sub("t-1")}`);
  d.label(64, 248, inputText(run, t));
  for (const [x, gate] of [[80, "r"], [140, "z"], [230, "n"]]) d.wire([[x, 214], [x, 167]], gate);
  d.wire([[80, 133], [80, 112], [212, 112], [212, 133]], "r", { arrow: true });
  d.wire([[140, 133], [140, 46]], "z", { arrow: true });
  d.wire([[140, 80], [175, 80]], "z", { arrow: true });
  d.wire([[195, 80], [220, 80]], "z", { arrow: true });
  d.wire([[230, 133], [230, 90]], "n", { arrow: true });
  d.wire([[230, 70], [230, 46]], "h", { arrow: true });
  d.op(140, 36, "×", "z", fmt(z * h0, 2));
  d.op(185, 80, "1−", "z", undefined, "small");
  d.op(230, 80, "×", "n", fmt((1 - z) * n, 2));
  d.op(230, 36, "+", "h");
  d.box(80, 150, "r", "σ", r, GATE_SCALE);
  d.box(140, 150, "z", "σ", z, GATE_SCALE);
  d.box(230, 150, "n", "tanh", n, SIGNED_SCALE);
  const desc = `Step ${t + 1}, unit ${u + 1}: h(t−1) ${fmt(h0)}, reset gate ${fmt(r)}, update gate ${fmt(z)}, candidate ${fmt(n)}, h(t) ${fmt(h)}.`;
  return d.finish("GRU cell", desc);
}

function rnn(run, t, u, highlight) {
  const h = run.h[t][u];
  const h0 = t > 0 ? run.h[t - 1][u] : 0;
  const a = run.pre?.a?.[t]?.[u];
  const d = new Canvas(highlight, 150);
  d.wire([[18, 64], [155, 64]], "h", { arrow: true });
  d.wire([[120, 146], [120, 64]], null);
  d.wire([[205, 64], [338, 64]], "h", { arrow: true });
  d.label(18, 50, `h${sub("t-1")} = ${fmt(h0, 2)}`);
  d.label(128, 142, inputText(run, t));
  d.box(180, 64, "h", "tanh", h, SIGNED_SCALE);
  if (a !== undefined) d.label(180, 36, `tanh(${fmt(a, 2)})`, "middle", "op-note");
  d.label(340, 50, `h${sub("t")} = ${fmt(h, 2)}`, "end", "io-label strong");
  return d.finish("Elman RNN cell", `Step ${t + 1}, unit ${u + 1}: h(t−1) ${fmt(h0)}, h(t) ${fmt(h)}. No gates.`);
}

/** The diagram of `run`'s cell at step t (0-based) for unit u, with `highlight` emphasised. */
export function diagram(run, t, u, highlight) {
  if (run.cell === "gru") return gru(run, t, u, highlight);
  if (run.cell === "rnn") return rnn(run, t, u, highlight);
  return lstm(run, t, u, highlight);
}
