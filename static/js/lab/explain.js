// The equation behind one heatmap cell, with the run's own numbers substituted:
// c_t = f_t·c_{t−1} + i_t·g_t = 0.97·0.41 + 0.02·(−0.30) = 0.39. PyTorch's equations (and
// Gers et al. 2002 for the peepholes); values are rounded for reading, the results are the model's.

import { fmt } from "./palette.js";
import { valuesOf } from "./quantities.js";

const SIGMOID_GATES = {
  i: ["i", "ii", "hi", "b_i", "how much of the candidate g it lets into the cell"],
  f: ["f", "if", "hf", "b_f", "how much of c₍ₜ₋₁₎ it keeps"],
  o: ["o", "io", "ho", "b_o", "how much of tanh(cₜ) it shows as h"],
  r: ["r", "ir", "hr", "b_r", "how much of h₍ₜ₋₁₎ the candidate n sees"],
  z: ["z", "iz", "hz", "b_z", "how much of h₍ₜ₋₁₎ it keeps"],
};

function escape(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

/** "c_t", "h_{t-1}", "W_ii" → HTML with <sub>. Only ever fed this module's own strings. */
function math(text) {
  return escape(text).replace(/([A-Za-z])_\{([^}]+)\}|([A-Za-z])_([A-Za-z0-9]+)/g, (_, a, b, c, d) =>
    a ? `<var>${a}</var><sub>${b.replace("-", "−")}</sub>` : `<var>${c}</var><sub>${d}</sub>`,
  );
}

function n(v) {
  const text = fmt(v);
  return v < 0 ? `(${text})` : text;
}

function prev(values, t, u) {
  return t > 0 ? values[t - 1][u] : 0;
}

function pct(v) {
  const digits = v > 0.99 || v < 0.01 ? 1 : 0; // 0.998 is not "100%"
  return `${(v * 100).toFixed(digits)}%`;
}

/**
 * {heading, value, lines: [html], meaning} for quantity `name` at step t (0-based), unit u.
 * run: the /api/lab/run response (pre-activations used when present).
 */
export function explain(run, name, t, u, held = null) {
  const info = compute(run, name, t, u, held);
  if (held !== null) {
    // The cell computed the line above; the intervention then replaced it.
    info.lines.push(`then <em>held</em> at <strong>${fmt(held)}</strong>: everything after this uses the held value`);
    info.meaning = `Held at ${fmt(held)} by your “what if”. ${info.meaning}`;
    info.value = held;
  }
  return info;
}

function compute(run, name, t, u, held) {
  // For a held square the run stores the held value; the equation shows what was computed.
  const stored = valuesOf(run, name)[t][u];
  const value = held === null ? stored : computed(run, name, t, u, stored);
  const pre = run.pre?.[name]?.[t]?.[u];
  const peep = run.peepholes;
  const heading = `Unit ${u + 1}, step ${t + 1}`;
  const out = { heading, name, value, lines: [], meaning: "" };
  const preText = pre === undefined ? "…" : fmt(pre);

  if (SIGMOID_GATES[name]) {
    const [g, wi, wh, b, does] = SIGMOID_GATES[name];
    let arg = `W_${wi} x_t + W_${wh} h_{t-1} + ${b}`;
    if (peep && (name === "i" || name === "f")) arg += ` + w_c${name} ⊙ c_{t-1}`;
    if (peep && name === "o") arg += " + w_co ⊙ c_t";
    out.lines.push(`${math(`${g}_t`)} = σ(${math(arg)})`);
    out.lines.push(`= σ(${preText}) = <strong>${fmt(value)}</strong>`);
    out.meaning = `${name === "z" ? "Update" : name === "r" ? "Reset" : name === "i" ? "Input" : name === "f" ? "Forget" : "Output"} gate ${pct(value)} open: ${does}.`;
    return out;
  }
  if (name === "g") {
    out.lines.push(`${math("g_t")} = tanh(${math("W_ig x_t + W_hg h_{t-1} + b_g")})`);
    out.lines.push(`= tanh(${preText}) = <strong>${fmt(value)}</strong>`);
    out.meaning = "The candidate: what the cell would write, before the input gate scales it.";
    return out;
  }
  if (name === "n") {
    out.lines.push(`${math("n_t")} = tanh(${math("W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn)")})`);
    out.lines.push(`= tanh(${preText}) = <strong>${fmt(value)}</strong>`);
    out.meaning = "The candidate new state; the reset gate r decides how much of the old h it sees.";
    return out;
  }
  if (name === "c") {
    const f = run.gates.f[t][u];
    const i = run.gates.i[t][u];
    const g = run.gates.g[t][u];
    const c0 = prev(run.c, t, u);
    out.lines.push(`${math("c_t = f_t · c_{t-1} + i_t · g_t")}`);
    out.lines.push(`= ${n(f)} · ${n(c0)} + ${n(i)} · ${n(g)} = <strong>${fmt(value)}</strong>`);
    out.meaning = `Kept ${fmt(f * c0)} of the old memory and wrote ${fmt(i * g)} of new content.`;
    return out;
  }
  if (name === "h" && run.cell === "lstm") {
    const o = run.gates.o[t][u];
    const c = run.c[t][u];
    out.lines.push(`${math("h_t = o_t · tanh(c_t)")}`);
    out.lines.push(`= ${n(o)} · tanh(${fmt(c)}) = ${n(o)} · ${n(Math.tanh(c))} = <strong>${fmt(value)}</strong>`);
    out.meaning = Math.abs(c) > 0.5 && o < 0.2 ? "Stored but hidden: c is large while the output gate is nearly shut." : "What the next step and the readout see of this cell.";
    return out;
  }
  if (name === "h" && run.cell === "gru") {
    const z = run.gates.z[t][u];
    const nn = run.gates.n[t][u];
    const h0 = prev(run.h, t, u);
    out.lines.push(`${math("h_t = (1 − z_t) · n_t + z_t · h_{t-1}")}`);
    out.lines.push(`= ${n(1 - z)} · ${n(nn)} + ${n(z)} · ${n(h0)} = <strong>${fmt(value)}</strong>`);
    out.meaning = `Kept ${pct(z)} of the previous state and took ${pct(1 - z)} of the candidate.`;
    return out;
  }
  // Elman RNN: h_t = tanh(a_t), a_t = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh.
  const a = run.pre?.a?.[t]?.[u];
  out.lines.push(`${math("h_t")} = tanh(${math("W_ih x_t + W_hh h_{t-1} + b")})`);
  out.lines.push(`= tanh(${a === undefined ? "…" : fmt(a)}) = <strong>${fmt(value)}</strong>`);
  out.meaning = "No gate: every step rewrites the whole state through the same tanh.";
  return out;
}

/** What the cell computed at a held square, from the stored inputs of its equation. */
function computed(run, name, t, u, stored) {
  const pre = run.pre?.[name]?.[t]?.[u];
  if (SIGMOID_GATES[name] && pre !== undefined) return 1 / (1 + Math.exp(-pre));
  if ((name === "g" || name === "n") && pre !== undefined) return Math.tanh(pre);
  if (name === "c") return run.gates.f[t][u] * prev(run.c, t, u) + run.gates.i[t][u] * run.gates.g[t][u];
  if (name === "h" && run.cell === "lstm") return run.gates.o[t][u] * Math.tanh(run.c[t][u]);
  if (name === "h" && run.cell === "gru") {
    const z = run.gates.z[t][u];
    return (1 - z) * run.gates.n[t][u] + z * prev(run.h, t, u);
  }
  if (name === "h" && run.pre?.a) return Math.tanh(run.pre.a[t][u]);
  return stored;
}

/** Fill an element with an explanation (the only innerHTML: this module's escaped strings). */
export function render(element, info, label) {
  const lines = info.lines.map((line) => `<div class="eq-line">${line}</div>`).join("");
  element.innerHTML =
    `<p class="explain-where">${escape(info.heading)}${label ? ` · ${escape(label)}` : ""}</p>` +
    `<p class="explain-value"><span class="explain-symbol">${math(`${info.name}_t`)}</span> = ${fmt(info.value)}</p>` +
    `<div class="equation">${lines}</div>` +
    `<p class="explain-meaning">${escape(info.meaning)}</p>`;
}
