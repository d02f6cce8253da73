// The gate lab: controls → POST /api/lab/run → heatmaps, equation, diagram, unit plot, top-5;
// a scrubber and keys to move through time; the gradients and live-training views; the URL
// always holds the state so a link reproduces the view.

import { ApiError, onBusy, postJSON, postModel } from "./api.js";
import { diagram } from "./diagram.js";
import { explain, render as renderExplain } from "./explain.js";
import { GradientsView } from "./gradients.js";
import { Heatmap } from "./heatmap.js";
import { fmt, palettes } from "./palette.js";
import { Predict } from "./predict.js";
import { quantities, valuesOf } from "./quantities.js";
import { formatMatrix, formatSequence, parseMatrix, parseSequence, readURL, writeURL } from "./state.js";
import { inputStrip } from "./strip.js";
import { TrainView } from "./train.js";
import { unitPlot } from "./unitplot.js";
import { difference, formatHolds, parseHolds, toInterventions, WhatIf } from "./whatif.js";
import { CompareView } from "./compare.js";
import { SampleView } from "./sample.js";
import { Tour } from "./tour.js";
import { UnitsView } from "./units.js";

const root = document.querySelector("[data-lab]");
const form = root.querySelector("[data-controls]");
const presetSelect = form.querySelector("#lab-preset");
const seqBox = form.querySelector("#lab-sequence");
const matrixBox = form.querySelector("#lab-matrix");
const textBox = form.querySelector("#lab-text");
const seedBox = form.querySelector("#lab-seed");
const fileBox = form.querySelector("#lab-weights");
const statusLine = form.querySelector("[data-status]");
const BUSY = "The lab is busy, retrying…";
onBusy((wait) => {
  if (wait !== null) statusLine.textContent = `${BUSY} (next try in ${wait} s)`;
  else if (statusLine.textContent.startsWith(BUSY)) statusLine.textContent = "";
});
const formError = form.querySelector("[data-form-error]");
const stepRange = root.querySelector("[data-step]");
const playButton = root.querySelector("[data-play]");
const heatmapBox = root.querySelector("[data-heatmaps]");
const explainBox = root.querySelector("[data-explain]");
const diagramBox = root.querySelector("[data-diagram]");
const unitBox = root.querySelector("[data-unit-plot]");
const tableBox = root.querySelector("[data-table]");
const tableQuantity = root.querySelector("[data-table-quantity]");
const tableAlt = root.querySelector("[data-table-alt]");
const MAX_T = Number(root.dataset.maxT);
const ADDING = { lstm: "adding-lstm", peephole: "adding-peephole", gru: "adding-gru", rnn: "adding-rnn" };
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

const url = readURL();
const state = {
  preset: url.preset && presetSelect.querySelector(`option[value="${CSS.escape(url.preset)}"]`) ? url.preset : root.dataset.preset,
  card: url.card ?? root.dataset.card ?? null,
  text: url.text ?? null,
  input: url.input ?? null,
  seed: url.seed ?? 0,
  gate: url.gate ?? null,
  step: url.step ?? null,
  unit: url.unit ?? null,
  tab: url.tab ?? null,
  fb: url.fb ?? null,
  k: url.k ?? null,
  gT: url.gT ?? null,
  gH: url.gH ?? null,
  holds: parseHolds(url.hold),
  matrix: null,
  feature: url.feature ?? null,
  uq: url.uq ?? null,
  prime: url.prime ?? null,
  len: url.len ?? null,
  temp: url.temp ?? null,
  sseed: url.sseed ?? null,
  tv: url.tv === 1,
  tour: url.tour ?? null,
  view: url.view === "change" ? "change" : "values",
};
// From a card: start at the unit, step and gate its tour first points at (unless the link says).
const firstAim = root.querySelector("[data-tour] [data-go-unit]")?.dataset;
if (firstAim && state.card && url.step === undefined && url.unit === undefined && url.tour === undefined) {
  state.unit = Number(firstAim.goUnit);
  state.step = firstAim.goStep ? Number(firstAim.goStep) : null;
  state.gate = firstAim.goGate ?? state.gate;
}
let firstShow = true;
let source = "preset";
let run = null; // the last /api/lab/run response
let heatmaps = new Map();
let selection = { t: 0, u: 0 };
let evidence = null;
let playing = null;
let request = 0;

// ---------------------------------------------------------------------------------------------
// Controls

function presetOption(name = state.preset) {
  return presetSelect.querySelector(`option[value="${CSS.escape(name)}"]`);
}

function task() {
  return source === "upload" ? run?.uploadTask ?? "sequence" : presetOption().dataset.task;
}

/** Trained weights (a preset with a readout, or an upload) can have units held. */
function canHold() {
  return source === "upload" || presetOption().dataset.task !== "gradients";
}

function cellChoice(cell, peepholes) {
  return peepholes ? "peephole" : cell;
}

function syncControls() {
  const option = presetOption();
  presetSelect.value = state.preset;
  form.querySelector("[data-shows-hint]").textContent = option.dataset.shows;
  if (source === "preset") {
    const cell = cellChoice(option.dataset.cell, option.dataset.peepholes === "true");
    for (const radio of form.elements.cell) radio.checked = radio.value === cell;
  }
  for (const radio of form.elements.cell) radio.disabled = source === "upload";
  for (const el of form.querySelectorAll("[data-when]")) el.hidden = el.dataset.when !== source;
  const kind = task();
  const isText = kind === "char";
  // Presets take their own kind of input (text, or the adding problem's marked sequence);
  // uploaded weights get a T × D editor of their own (or text, for a model with a vocabulary).
  form.querySelector('[data-input="text"]').hidden = !isText;
  form.querySelector('[data-input="sequence"]').hidden = isText || source === "upload";
  form.querySelector('[data-input="matrix"]').hidden = source !== "upload" || isText;
  form.querySelector('[data-input="random"]').hidden = isText && source === "preset";
  const D = source === "upload" && run?.source === "upload" ? run.D : null;
  form.querySelector("[data-matrix-d]").textContent = D ? `D = ${D}` : "D";
  seedBox.value = String(state.seed);
  root.querySelector("[data-whatif]").hidden = !canHold();
}

function clearErrors() {
  formError.hidden = true;
  for (const el of form.querySelectorAll("[data-error-for]")) {
    el.hidden = true;
    el.textContent = "";
  }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

function showError(error) {
  const message = error.message ?? String(error);
  let field = source === "upload" && !["text", "input", "seed", "matrix"].includes(error.field) ? "weights" : error.field;
  if (source === "upload" && field === "input") field = "matrix"; // the upload's own input box
  const slot = field && form.querySelector(`[data-error-for="${field}"]`);
  if (slot && !slot.parentElement.closest("[hidden]")) {
    slot.textContent = message;
    slot.hidden = false;
    const control = { text: textBox, input: seqBox, matrix: matrixBox, seed: seedBox, weights: fileBox }[field];
    control?.setAttribute("aria-invalid", "true");
  } else {
    formError.textContent = message;
    formError.hidden = false;
  }
  statusLine.textContent = "";
}

/** The run request from the controls (throws an Error for a sequence that does not parse). */
function buildRequest() {
  const body = { include_pre: true };
  if (source === "preset") body.preset = state.preset;
  const kind = task();
  if (kind === "char") {
    if (state.text) body.text = state.text;
  } else if (source === "upload") {
    if (state.matrix) body.input = parseMatrix(state.matrix, run?.source === "upload" ? run.D : null, MAX_T);
    else body.seed = state.seed;
  } else if (state.input) {
    body.input = parseSequence(state.input, MAX_T);
  } else {
    body.seed = state.seed;
  }
  if (source === "preset" && presetOption().dataset.task === "gradients" && state.fb !== null) {
    body.forget_bias = state.fb;
  }
  if (state.holds.length && canHold()) {
    body.interventions = toInterventions(state.holds);
    body.baseline = true;
  }
  return body;
}

async function runNow() {
  clearErrors();
  let body;
  try {
    body = buildRequest();
  } catch (error) {
    showError({ message: error.message, field: source === "upload" && task() !== "char" ? "matrix" : "input" });
    return;
  }
  const id = ++request;
  statusLine.textContent = "Running…";
  const started = performance.now();
  try {
    let data;
    if (source === "upload") {
      const file = fileBox.files?.[0];
      if (!file) {
        showError({ message: "Choose a .npz file first.", field: "weights" });
        return;
      }
      const limit = Number(root.dataset.uploadMb) * 1024 * 1024;
      if (file.size > limit) {
        showError({ message: `weights: the file is ${(file.size / 2 ** 20).toFixed(1)} MB; the upload limit is ${root.dataset.uploadMb} MB`, field: "weights" });
        return;
      }
      const { preset, ...config } = body;
      // Only a ReLU RNN needs saying: tanh is PyTorch's default, and other cells have no choice.
      if (form.elements.nonlinearity?.value === "relu") config.nonlinearity = "relu";
      data = await postModel("/api/lab/run", { file, config });
      data.uploadTask = data.text ? "char" : "sequence";
    } else {
      data = await postJSON("/api/lab/run", body);
    }
    if (id !== request) return;
    const ms = Math.round(performance.now() - started);
    statusLine.textContent = `Ran ${data.T} steps of ${data.H} units in ${ms} ms.`;
    show(data, body);
  } catch (error) {
    if (id !== request) return;
    if (error instanceof ApiError || error instanceof Error) showError(error);
  }
}

// ---------------------------------------------------------------------------------------------
// Results

function show(data, body) {
  stop();
  run = data;
  if (source === "upload") {
    for (const radio of form.elements.cell) radio.checked = radio.value === cellChoice(data.cell, data.peepholes);
    syncControls();
  }
  if (data.text) textBox.value = data.text;
  describeInput(data);
  if (data.input && data.D === 2 && !state.input && source === "preset") seqBox.value = formatSequence(data.input);
  if (data.input && source === "upload" && !state.matrix) matrixBox.value = formatMatrix(data.input);
  const names = quantities(data.cell).map((q) => q.name);
  if (!names.includes(state.gate)) state.gate = data.cell === "lstm" ? "c" : "h";
  selection = {
    t: Math.min(Math.max((state.step ?? defaultStep(data)) - 1, 0), data.T - 1),
    u: Math.min(Math.max((state.unit ?? 1) - 1, 0), data.H - 1),
  };
  evidence = null;
  buildHeatmaps(data);
  stepRange.max = String(data.T);
  root.querySelector("[data-step-total]").textContent = String(data.T);
  root.querySelector("[data-top5-block]").hidden = !data.top5;
  summary(data);
  buildGatePicker(data);
  fillTableChoices(data);
  update();

  const question = source === "preset" ? data.question : null;
  const asked = { preset: state.preset, ...body };
  delete asked.include_pre;
  if (firstShow && state.card && state.tab === "gates") {
    // A card's link: bring the heatmap of the card's gate, unit and step into view at once.
    const target = heatmaps.get(state.gate)?.element;
    requestAnimationFrame(() => target?.scrollIntoView({ block: "center" }));
  }
  firstShow = false;
  // Results show at once; the prediction is an optional card beside them.
  setPredicting(false);
  predict.ask(question, asked, source === "preset" ? state.preset : null);
  grads.configure(state, data);
  if (state.tab === "gradients") grads.load();
  const file = source === "upload" ? fileBox.files?.[0] : null;
  const nonlinearity = source === "upload" && form.elements.nonlinearity?.value === "relu" ? "relu" : null;
  unitsView.configure({ run: data, body, file, nonlinearity, feature: state.feature, quantity: state.uq, unit: selection.u });
  sampleView.configure({ run: data, body, file, prime: state.prime, length: state.len, temperature: state.temp, seed: state.sseed });
  compareView.configure(data);
  if (state.tab === "units") unitsView.load();
  if (state.tab === "compare") compareView.load();
  tour.configure(data, state.tour);
}

/** The folded input's summary line: what this run read. */
function describeInput(data) {
  const line = root.querySelector("[data-input-summary]");
  if (data.text) line.textContent = `· “${data.text.length > 40 ? `${data.text.slice(0, 40)}…` : data.text}” (${data.T} characters)`;
  else if (state.input || state.matrix) line.textContent = `· your ${data.T} × ${data.D} sequence`;
  else line.textContent = `· a seeded random sequence (seed ${state.seed}), ${data.T} steps`;
}

/** Start where something happens: the first marked step of an adding sequence. */
function defaultStep(data) {
  const marked = data.input?.findIndex((row) => row.length === 2 && row[1] === 1) ?? -1;
  return marked >= 0 ? marked + 1 : 1;
}

/** While the learner predicts, the results are blurred and out of reach (inert), not hidden. */
function setPredicting(on) {
  const shown = ".lab-main, .lab-side > :not([data-predict]), [data-summary], [data-grad-chart], [data-grad-table]";
  for (const el of root.querySelectorAll(shown)) el.inert = on;
  root.classList.toggle("is-predicting", on);
}

function summary(data) {
  const box = root.querySelector("[data-summary]");
  const parts = [];
  if (data.source === "upload") {
    parts.push(`Your weights (${data.filename}): ${data.peepholes ? "peephole LSTM" : data.cell.toUpperCase()}, H = ${data.H}, D = ${data.D}, T = ${data.T}.`);
  } else {
    parts.push(`${presetOption().textContent.replace(/ \(.*\)$/, "")}: ${data.T} steps, ${data.H} units.`);
  }
  if (data.prediction !== undefined && data.prediction !== null) {
    const target = data.target === null || data.target === undefined ? "" : `; the marked values add up to ${fmt(data.target)}`;
    parts.push(`Its output at the last step: ${fmt(data.prediction)}${target}.`);
  }
  if (data.gradient_norms) parts.push("A random initialisation: open Gradients to compare how far each cell's gradient reaches.");
  box.textContent = parts.join(" ");
}

function buildHeatmaps(data) {
  heatmaps = new Map();
  heatmapBox.replaceChildren();
  const change = state.view === "change" && data.baseline;
  root.querySelector("[data-view-toggle]").hidden = !data.baseline;
  for (const radio of root.querySelectorAll('input[name="heatview"]')) radio.checked = radio.value === (change ? "change" : "values");
  const textView = Boolean(data.text) && state.tv;
  root.querySelector("[data-text-view-toggle]").hidden = !data.text;
  root.querySelector("[data-text-view]").checked = textView;
  heatmapBox.classList.toggle("text-view", textView);
  if (textView) {
    heatmapBox.tabIndex = 0;
    heatmapBox.setAttribute("role", "region");
    heatmapBox.setAttribute("aria-label", "Heatmaps under the text (scrolls sideways)");
  } else {
    heatmapBox.removeAttribute("tabindex");
    heatmapBox.removeAttribute("role");
    heatmapBox.removeAttribute("aria-label");
  }
  for (const q of quantities(data.cell)) {
    const values = valuesOf(data, q.name);
    const map = new Heatmap({
      labels: textView ? [...data.text] : null,
      name: q.name,
      title: change ? `${q.title}: change (held − untouched)` : q.title,
      description: change
        ? `How much holding the chosen values changed ${q.name}: ${data.H} units (rows) by ${data.T} steps (columns); zero where nothing changed.`
        : `${q.about} ${data.H} units (rows) by ${data.T} steps (columns).`,
      kind: change ? "change" : q.kind,
      values: change ? difference(values, valuesOf(data.baseline, q.name)) : values,
      on: {
        hover: (name, t, u) => preview(name, t, u),
        leave: () => update(),
        select: (name, t, u) => select(name, t, u),
        key: onHeatmapKey,
        focus: (name) => {
          state.gate = name;
          update();
        },
      },
    });
    heatmaps.set(q.name, map);
    heatmapBox.append(map.element);
  }
}

/** Hovering moves the outline, the value panel and the cell diagram; leaving restores them. */
function preview(name, t, u) {
  if (!run) return;
  for (const map of heatmaps.values()) map.draw({ t, u }, evidence && evidence.quantity === map.name ? evidence : null);
  showExplain(name, t, u, true);
  diagramBox.replaceChildren(diagram(run, t, u, name));
}

function select(name, t, u) {
  state.gate = name;
  selection = { t, u };
  update();
}

function showExplain(name, t, u, hovering = false) {
  if (!run) return;
  const hold = state.holds.find((h) => h.quantity === name && h.unit === u + 1 && t + 1 >= h.from && t + 1 <= h.to);
  const info = explain(run, name, t, u, hold && run.baseline ? hold.value : null);
  renderExplain(explainBox, info, hovering ? "under the pointer" : "selected");
}

/** Redraw everything that depends on the selection, and write the URL. */
function update() {
  if (!run) return;
  const { t, u } = selection;
  for (const map of heatmaps.values()) {
    map.draw(selection, evidence && evidence.quantity === map.name ? evidence : null);
    map.element.classList.toggle("is-highlighted", map.name === state.gate);
  }
  stepRange.value = String(t + 1);
  root.querySelector("[data-step-out]").textContent = String(t + 1);
  root.querySelector("[data-unit-number]").textContent = String(u + 1);
  root.querySelector("[data-input-strip]").replaceChildren(inputStrip(run, t));
  showExplain(state.gate, t, u);
  diagramBox.replaceChildren(diagram(run, t, u, state.gate));
  for (const button of root.querySelectorAll("[data-gate-picker] button")) {
    button.setAttribute("aria-pressed", button.dataset.gate === state.gate ? "true" : "false");
  }
  unitBox.replaceChildren(unitPlot(run, u, t));
  if (canHold()) {
    whatif.aim(state.gate, u, t, run.T, valuesOf(run, state.gate)[t][u]);
    whatif.showReadout(run, t);
  }
  if (run.top5) top5(t);
  if (tableAlt.open) markTable();
  state.step = t + 1;
  state.unit = u + 1;
  saveURL();
}

function top5(t) {
  const list = root.querySelector("[data-top5]");
  const actual = run.text?.[t + 1];
  list.replaceChildren(
    ...run.top5[t].map(([ch, p]) => {
      const li = document.createElement("li");
      const label = document.createElement("span");
      label.className = "top5-char";
      label.textContent = ch === " " ? "space" : ch === "\n" ? "newline" : `“${ch}”`;
      const bar = document.createElement("span");
      bar.className = "top5-bar";
      const fill = document.createElement("span");
      fill.className = "top5-fill";
      fill.style.width = `${Math.max(1, Math.round(p * 100))}%`;
      bar.append(fill);
      const pct = document.createElement("span");
      pct.className = "top5-pct";
      pct.textContent = `${(p * 100).toFixed(1)}%`;
      li.append(label, bar, pct);
      if (ch === actual) {
        li.classList.add("is-actual");
        const mark = document.createElement("span");
        mark.className = "top5-actual";
        mark.textContent = "comes next";
        li.append(mark);
      }
      return li;
    }),
  );
  const caption = root.querySelector("#top5-title");
  caption.textContent = `After “${run.text.slice(Math.max(0, t - 11), t + 1)}”, the next character`;
}

function buildGatePicker(data) {
  const box = root.querySelector("[data-gate-picker]");
  box.replaceChildren(
    ...quantities(data.cell).map((q) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "chip";
      button.dataset.gate = q.name;
      button.textContent = q.name;
      button.title = q.title;
      button.setAttribute("aria-label", `Highlight ${q.title}`);
      button.addEventListener("click", () => {
        state.gate = q.name;
        update();
      });
      return button;
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Table alternative

function fillTableChoices(data) {
  tableQuantity.replaceChildren(
    ...quantities(data.cell).map((q) => {
      const option = document.createElement("option");
      option.value = q.name;
      option.textContent = q.title;
      return option;
    }),
  );
  tableQuantity.value = state.gate;
  if (tableAlt.open) buildTable();
}

function buildTable() {
  const name = tableQuantity.value || state.gate;
  const values = valuesOf(run, name);
  const table = document.createElement("table");
  table.className = "values heat-table";
  const caption = document.createElement("caption");
  caption.textContent = `${quantities(run.cell).find((q) => q.name === name).title}: rows are units, columns are steps`;
  const head = document.createElement("tr");
  const corner = document.createElement("th");
  corner.scope = "col";
  corner.textContent = "unit \\ step";
  head.append(corner);
  for (let t = 0; t < run.T; t++) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = String(t + 1);
    head.append(th);
  }
  const thead = document.createElement("thead");
  thead.append(head);
  const body = document.createElement("tbody");
  for (let u = 0; u < run.H; u++) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = String(u + 1);
    tr.append(th);
    for (let t = 0; t < run.T; t++) {
      const td = document.createElement("td");
      td.textContent = fmt(values[t][u]);
      tr.append(td);
    }
    body.append(tr);
  }
  table.append(caption, thead, body);
  tableBox.replaceChildren(table);
  tableBox.dataset.quantity = name;
  markTable();
}

function markTable() {
  if (tableBox.dataset.quantity !== (tableQuantity.value || state.gate)) return buildTable();
  tableBox.querySelector(".is-selected")?.classList.remove("is-selected");
  const cell = tableBox.querySelector(`tbody tr:nth-child(${selection.u + 1}) td:nth-of-type(${selection.t + 1})`);
  cell?.classList.add("is-selected");
}

tableAlt.addEventListener("toggle", () => {
  if (tableAlt.open && run) buildTable();
});
tableQuantity.addEventListener("change", () => run && buildTable());

// ---------------------------------------------------------------------------------------------
// Time: scrubber, play, keys

function setStep(t) {
  if (!run) return;
  selection = { ...selection, t: Math.max(0, Math.min(run.T - 1, t)) };
  update();
}

function stop() {
  if (playing) clearInterval(playing);
  playing = null;
  playButton.setAttribute("aria-pressed", "false");
  root.querySelector("[data-play-icon]").textContent = "▶";
  root.querySelector("[data-play-label]").textContent = "Play";
}

function togglePlay() {
  if (!run) return;
  if (reducedMotion.matches) {
    setStep(selection.t + 1); // no animation: Space steps instead
    return;
  }
  if (playing) {
    stop();
    return;
  }
  if (selection.t >= run.T - 1) setStep(0);
  playing = setInterval(() => {
    if (selection.t >= run.T - 1) stop();
    else setStep(selection.t + 1);
  }, 420);
  playButton.setAttribute("aria-pressed", "true");
  root.querySelector("[data-play-icon]").textContent = "❚❚";
  root.querySelector("[data-play-label]").textContent = "Pause";
}

function applyMotionPreference() {
  playButton.hidden = reducedMotion.matches;
  if (reducedMotion.matches) stop();
}

stepRange.addEventListener("input", () => setStep(Number(stepRange.value) - 1));
playButton.addEventListener("click", togglePlay);
root.querySelector('[data-action="step-back"]').addEventListener("click", () => setStep(selection.t - 1));
root.querySelector('[data-action="step-forward"]').addEventListener("click", () => setStep(selection.t + 1));
reducedMotion.addEventListener("change", applyMotionPreference);
applyMotionPreference();

function onHeatmapKey(name, event) {
  if (!run || event.altKey || event.ctrlKey || event.metaKey) return;
  const { t, u } = selection;
  const moves = {
    ArrowLeft: [t - 1, u],
    ArrowRight: [t + 1, u],
    ArrowUp: [t, u - 1],
    ArrowDown: [t, u + 1],
    Home: [0, u],
    End: [run.T - 1, u],
    PageUp: [t, u - 8],
    PageDown: [t, u + 8],
  };
  if (!moves[event.key]) return;
  event.preventDefault();
  const [nt, nu] = moves[event.key];
  state.gate = name;
  selection = { t: Math.max(0, Math.min(run.T - 1, nt)), u: Math.max(0, Math.min(run.H - 1, nu)) };
  update();
}

document.addEventListener("keydown", (event) => {
  if (event.key !== " " || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.target.closest?.("a, button, input, textarea, select, summary, [contenteditable]")) return;
  if (root.querySelector("#view-gates").hidden) return;
  event.preventDefault();
  togglePlay();
});

// ---------------------------------------------------------------------------------------------
// Tabs

const tabButtons = [...root.querySelectorAll("[data-tab]")];

/** The prediction card sits beside the results it is about: atop the side column of the gates,
 * or in the column beside the gradient chart (the same two-column layout). */
function placePredict(name) {
  const card = root.querySelector("[data-predict]");
  if (name === "gradients") root.querySelector("[data-grad-side]").prepend(card);
  else root.querySelector(".lab-side").prepend(card);
}

function openTab(name, focus = false) {
  state.tab = name;
  root.dataset.currentView = name; // lab.css hides the model and input form while training
  for (const button of tabButtons) {
    const on = button.dataset.tab === name;
    button.setAttribute("aria-selected", on ? "true" : "false");
    button.tabIndex = on ? 0 : -1;
    if (on && focus) button.focus();
  }
  for (const view of root.querySelectorAll("[data-view]")) view.hidden = view.dataset.view !== name;
  placePredict(name);
  if (name !== "gates") stop();
  if (name === "gradients") grads.load();
  if (name === "units" && run) unitsView.load();
  if (name === "compare" && run) compareView.load();
  if (name === "train") train.show();
  if (name === "gates") update();
  saveURL();
}

for (const button of tabButtons) {
  button.addEventListener("click", () => openTab(button.dataset.tab));
  button.addEventListener("keydown", (event) => {
    const k = tabButtons.indexOf(button);
    const next = { ArrowRight: k + 1, ArrowLeft: k - 1, Home: 0, End: tabButtons.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    openTab(tabButtons[(next + tabButtons.length) % tabButtons.length].dataset.tab, true);
  });
}

// ---------------------------------------------------------------------------------------------
// URL

function saveURL() {
  const isText = task() === "char";
  const href = writeURL({
    preset: source === "preset" ? state.preset : null,
    card: state.card,
    text: isText && state.text ? state.text : null,
    input: !isText && state.input ? state.input : null,
    seed: !isText && !state.input && state.seed ? state.seed : null,
    gate: state.gate,
    step: state.step,
    unit: state.unit,
    tab: state.tab && state.tab !== "gates" ? state.tab : null,
    fb: state.fb,
    k: state.k,
    gT: state.gT,
    gH: state.gH,
    hold: state.holds.length ? formatHolds(state.holds) : null,
    feature: state.tab === "units" ? state.feature : null,
    uq: state.tab === "units" && state.uq === "c" ? "c" : null,
    prime: state.tab === "sample" ? state.prime : null,
    len: state.tab === "sample" ? state.len : null,
    temp: state.tab === "sample" ? state.temp : null,
    sseed: state.tab === "sample" && state.sseed ? state.sseed : null,
    tv: state.tv && isText ? 1 : null,
    tour: state.tour,
    view: state.view === "change" && state.holds.length ? "change" : null,
  });
  root.querySelector("[data-permalink]").href = href;
}

// ---------------------------------------------------------------------------------------------
// Wiring

const predict = new Predict(root.querySelector("[data-predict]"), {
  onStart() {
    setPredicting(true);
  },
  onReveal(found) {
    setPredicting(false);
    if (!found) {
      if (state.tab === "gradients") grads.load();
      return;
    }
    if (found.view === "gradients") {
      grads.highlight(found);
      openTab("gradients");
      return;
    }
    if (found.view === "gates" && found.quantity) {
      state.gate = found.quantity;
      evidence = found.unit === null ? null : found;
      selection = { t: found.steps[0], u: found.unit ?? selection.u };
    } else if (found.view === "top5") {
      selection = { ...selection, t: found.steps[0] };
    } else if (found.steps?.length) {
      selection = { ...selection, t: found.steps[0] };
    }
    openTab("gates");
    const target = found.view === "top5" ? root.querySelector("[data-top5-block]") : heatmaps.get(state.gate)?.element;
    target?.scrollIntoView({ block: "nearest" });
  },
});

const grads = new GradientsView(root.querySelector("#view-gradients"), {
  onChange({ fb, k, gT, gH }) {
    Object.assign(state, { fb, k, gT, gH });
    saveURL();
  },
});
const train = new TrainView(root.querySelector("#view-train"));
const whatif = new WhatIf(root.querySelector("[data-whatif]"), {
  onChange(holds) {
    state.holds = holds;
    if (holds.length && state.view === "values") state.view = "change";
    runNow();
  },
});
whatif.set(state.holds);

const unitsView = new UnitsView(root.querySelector("#view-units"), {
  onSelect(u) {
    selection = { ...selection, u };
    if (state.gate !== "h" && state.gate !== "c") state.gate = state.uq === "c" ? "c" : "h";
    update();
  },
  onChange({ feature, quantity }) {
    state.feature = feature;
    state.uq = quantity;
    saveURL();
  },
});
const sampleView = new SampleView(root.querySelector("#view-sample"), {
  onOpen(text, step) {
    const kept = text.slice(-MAX_T);
    openTab("gates"); // before the step: opening the tab writes the current selection back
    state.text = kept;
    textBox.value = kept;
    state.step = Math.min(step, kept.length);
    runNow();
  },
  onChange({ prime, length, temperature, seed }) {
    Object.assign(state, { prime, len: length, temp: temperature, sseed: seed });
    saveURL();
  },
});
const compareView = new CompareView(root.querySelector("#view-compare"), {
  onTrain() {
    openTab("train");
    train.trainRNN();
  },
});

const tour = new Tour(root.querySelector("[data-tour]"), {
  onChange(k) {
    state.tour = k;
    saveURL();
  },
  apply(step) {
    if (step.feature) state.feature = step.feature;
    if (step.gate) state.gate = step.gate;
    const holds = step.hold ? parseHolds(step.hold) : [];
    const rerun = formatHolds(holds) !== formatHolds(state.holds);
    if (rerun) {
      state.holds = holds;
      whatif.set(holds);
      state.view = holds.length ? "change" : "values";
    }
    if (step.tab) openTab(step.tab);
    if (step.unit || step.step) {
      const u = step.unit ? step.unit - 1 : selection.u;
      const t = step.step ? step.step - 1 : selection.t;
      state.unit = u + 1;
      state.step = t + 1;
      if (run && !rerun) selection = { t: Math.min(t, run.T - 1), u: Math.min(u, run.H - 1) };
    }
    if (rerun) runNow();
    else if (run) {
      if (step.feature && state.tab === "units") {
        unitsView.configure({ run, body: buildRequest(), file: null, feature: state.feature, quantity: state.uq, unit: selection.u });
        unitsView.load();
      }
      update();
      const target = heatmaps.get(state.gate)?.element;
    requestAnimationFrame(() => target?.scrollIntoView({ block: "center" }));
    }
  },
});

root.querySelector("[data-text-view]").addEventListener("change", (event) => {
  state.tv = event.target.checked;
  if (!run) return;
  buildHeatmaps(run);
  update();
});

for (const button of form.querySelectorAll("[data-example]")) {
  button.addEventListener("click", () => {
    textBox.value = button.dataset.example;
    state.text = button.dataset.example;
    state.step = null;
    state.holds = [];
    whatif.set([]);
    runNow();
  });
}

for (const radio of root.querySelectorAll('input[name="heatview"]')) {
  radio.addEventListener("change", () => {
    if (!radio.checked || !run) return;
    state.view = radio.value;
    buildHeatmaps(run);
    update();
  });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  readInputs();
  runNow();
});

function readInputs() {
  const kind = task();
  if (kind === "char") state.text = textBox.value || null;
  else if (source === "upload") {
    const typed = matrixBox.value.trim();
    const generated = run?.source === "upload" && run.input ? formatMatrix(run.input) : "";
    state.matrix = typed && typed !== generated ? typed : state.matrix;
  } else {
    const typed = seqBox.value.trim();
    const generated = run?.input && run.D === 2 ? formatSequence(run.input) : "";
    state.input = typed && typed !== generated ? typed.split(/\s+/).join(",") : state.input;
  }
  const seed = Number.parseInt(seedBox.value, 10);
  if (Number.isFinite(seed) && seed >= 0) state.seed = seed;
}

presetSelect.addEventListener("change", () => {
  state.preset = presetSelect.value;
  resetInput();
  syncControls();
  runNow();
});

for (const radio of form.elements.cell) {
  radio.addEventListener("change", () => {
    if (!radio.checked || source !== "preset") return;
    state.preset = ADDING[radio.value];
    resetInput();
    syncControls();
    runNow();
  });
}

for (const radio of form.elements.source) {
  radio.addEventListener("change", () => {
    if (!radio.checked) return;
    source = radio.value;
    clearErrors();
    syncControls();
    if (source === "preset") runNow();
    else if (fileBox.files?.length) runNow();
    else fileBox.focus();
  });
}

fileBox.addEventListener("change", () => {
  state.input = null;
  state.text = null;
  state.matrix = null;
  matrixBox.value = "";
  runNow();
});

form.elements.nonlinearity?.addEventListener("change", () => {
  if (fileBox.files?.length) runNow();
});

matrixBox.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    form.requestSubmit();
  }
});

seqBox.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});

seedBox.addEventListener("change", () => {
  state.input = null;
  state.matrix = null;
  matrixBox.value = "";
  readInputs();
  runNow();
});

form.querySelector('[data-action="new-random"]').addEventListener("click", () => {
  state.input = null;
  state.matrix = null;
  matrixBox.value = "";
  state.seed = (Number.parseInt(seedBox.value, 10) || 0) + 1;
  seedBox.value = String(state.seed);
  runNow();
});

function resetInput() {
  state.input = null;
  state.text = null;
  state.step = null;
  state.unit = null;
  state.fb = null;
  state.k = null;
  state.holds = [];
  whatif.set([]);
  textBox.value = "";
  seqBox.value = "";
}

// Theme changes recolour the canvases (their colours come from CSS custom properties).
function recolour() {
  palettes(true);
  for (const map of heatmaps.values()) map.recolour();
  train.redraw();
  if (run) update();
}
new MutationObserver(recolour).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", recolour);

let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    for (const map of heatmaps.values()) map.draw();
    if (grads.data) grads.render(grads.data);
  }, 120);
});

// Start: the URL's view (or the preset's natural one), run at once.
if (state.input && task() !== "char") seqBox.value = state.input.split(",").join(" ");
if (state.text) textBox.value = state.text;
syncControls();
const firstTab = state.tab ?? (presetOption().dataset.task === "gradients" ? "gradients" : "gates");
openTab(firstTab);
runNow();

