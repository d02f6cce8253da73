// Train live: chunks of Adam steps on the server, one request after another. The model travels
// as a signed token in each request and response (kept in sessionStorage, so a reload carries
// on); the loss curve and the gate heatmaps redraw after every chunk (a few times a second).

import { ApiError, postJSON } from "./api.js";
import { lineChart } from "./chart.js";
import { Heatmap } from "./heatmap.js";
import { fmt } from "./palette.js";
import { quantities, valuesOf } from "./quantities.js";
import { inputStrip } from "./strip.js";

const STORE = "lab-train-v1";
const TARGET_MS = 350; // aim for chunks this long: several updates a second, little overhead
const BATCH = 32;
const GATES = { lstm: 4, gru: 3, rnn: 1 };

/** The server's cost of one Adam step in multiply-adds: T × (batch × G × H × (H + D) + overhead). */
function stepWork(config, overhead) {
  return config.T * (BATCH * (GATES[config.cell] ?? 4) * config.H * (config.H + 2) + overhead);
}

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) || "null");
  } catch {
    return null;
  }
}

function save(value) {
  try {
    if (value) sessionStorage.setItem(STORE, JSON.stringify(value));
    else sessionStorage.removeItem(STORE);
  } catch {
    // Storage full or blocked: training goes on, only a reload would start over.
  }
}

export class TrainView {
  constructor(root) {
    this.root = root;
    this.form = root.querySelector("[data-train-controls]");
    this.startButton = root.querySelector('[data-action="train-start"]');
    this.pauseButton = root.querySelector('[data-action="train-pause"]');
    this.resetButton = root.querySelector('[data-action="train-reset"]');
    this.error = root.querySelector("[data-train-error]");
    this.status = root.querySelector("[data-train-status]");
    this.chart = root.querySelector("[data-loss-chart]");
    this.maps = root.querySelector("[data-train-heatmaps]");
    this.strip = root.querySelector("[data-train-strip]");
    this.readoutLine = root.querySelector("[data-train-readout]");
    this.running = false;
    this.heatmaps = new Map();
    this.steps = 20;
    this.saved = load();
    if (this.saved?.config) this.setConfig(this.saved.config);
    this.form.addEventListener("submit", (e) => e.preventDefault());
    this.startButton.addEventListener("click", () => this.start());
    this.pauseButton.addEventListener("click", () => this.pause());
    this.resetButton.addEventListener("click", () => this.reset());
    this.note = root.querySelector("[data-train-note]");
    this.form.elements.cell.addEventListener("change", () => {
      // A plain RNN learns the adding problem at T = 20 (the first marker is at most 20 steps
      // back); start it at T = 50, where the comparison with the LSTM teaches what it should.
      const rnn = this.form.elements.cell.value === "rnn";
      if (rnn && Number.parseInt(this.form.elements.T.value, 10) < 50) this.form.elements.T.value = "50";
      this.note.hidden = !rnn;
    });
    this.form.addEventListener("change", () => {
      // Before the first step the model is only a preview of the settings: follow them.
      if (!this.running && !(this.saved?.step > 0)) this.preview();
    });
  }

  config() {
    const read = (name) => this.form.elements[name].value;
    const cellChoice = read("cell");
    return {
      cell: cellChoice === "peephole" ? "lstm" : cellChoice,
      peepholes: cellChoice === "peephole",
      H: Number.parseInt(read("H"), 10),
      T: Number.parseInt(read("T"), 10),
      lr: Number(read("lr")),
      seed: Number.parseInt(read("seed"), 10),
      batch: BATCH,
    };
  }

  setConfig(config) {
    const el = this.form.elements;
    el.cell.value = config.peepholes ? "peephole" : config.cell;
    for (const key of ["H", "T", "lr", "seed"]) el[key].value = String(config[key]);
  }

  lockConfig(locked) {
    for (const name of ["cell", "H", "T", "lr", "seed"]) this.form.elements[name].disabled = locked;
  }

  /** Called when the tab opens: show the saved model (a reload) or a fresh one. */
  async show() {
    if (this.shown) return;
    this.shown = true;
    if (this.saved?.state) {
      this.lockConfig(true);
      this.startButton.textContent = "Resume";
      await this.chunk(0);
    } else {
      await this.preview();
    }
  }

  async preview() {
    this.saved = null;
    await this.chunk(0);
  }

  async start() {
    if (this.running) return;
    this.running = true;
    this.startButton.disabled = true;
    this.pauseButton.disabled = false;
    this.lockConfig(true);
    this.say("Training…");
    while (this.running) {
      const ok = await this.chunk(this.steps);
      if (!ok) break;
    }
    this.startButton.disabled = false;
    this.pauseButton.disabled = true;
  }

  pause() {
    this.running = false;
    this.startButton.textContent = "Resume";
    this.say(`Paused at step ${this.saved?.step ?? 0}.`);
  }

  /** From "Compare cells": a fresh plain RNN at T = 50, with the note saying why. */
  async trainRNN() {
    this.running = false;
    this.saved = null;
    save(null);
    this.startButton.textContent = "Start";
    this.lockConfig(false);
    this.setConfig({ ...this.config(), cell: "rnn", peepholes: false, T: 50 });
    this.note.hidden = false;
    this.shown = true;
    await this.chunk(0);
  }

  async reset() {
    this.running = false;
    this.saved = null;
    save(null);
    this.startButton.textContent = "Start";
    this.lockConfig(false);
    this.say("Reset: a new, untrained model.");
    await this.chunk(0);
  }

  say(text) {
    this.status.textContent = text;
  }

  /** One request: `steps` Adam steps (0: just show the model). False on an error. */
  async chunk(steps) {
    const config = this.saved?.config ?? this.config();
    const body = { steps, probe: { seed: 7 } };
    if (this.saved?.state) body.state = this.saved.state;
    else body.config = config;
    const labRoot = this.root.closest("[data-train-max-work]");
    const budget = Number(labRoot?.dataset.trainMaxWork) || 0;
    const work = stepWork(config, Number(labRoot?.dataset.trainOverhead) || 0);
    body.steps = Math.min(steps, Math.max(1, Math.floor(budget / work)), 200);
    if (steps === 0) body.steps = 0;
    const started = performance.now();
    let data;
    try {
      data = await postJSON("/api/lab/train", body);
    } catch (error) {
      this.running = false;
      if (!(error instanceof ApiError)) return false;
      if (error.status === 400 && this.saved) {
        // A token from another server key or release: start again rather than get stuck.
        this.saved = null;
        save(null);
        this.lockConfig(false);
      }
      this.error.textContent = error.message;
      this.error.hidden = false;
      return false;
    }
    this.error.hidden = true;
    const elapsed = performance.now() - started;
    if (body.steps > 0) {
      this.steps = Math.max(5, Math.min(200, Math.round((body.steps * TARGET_MS) / Math.max(elapsed, 1))));
    }
    const history = this.saved?.history ?? [];
    if (data.losses.length) {
      const mean = data.losses.reduce((a, b) => a + b, 0) / data.losses.length;
      history.push([data.step, mean, data.test_mse]);
    } else if (!history.length && data.test_mse !== null) {
      history.push([data.step, null, data.test_mse]);
    }
    this.saved = { state: data.state, config, history: history.slice(-2000), step: data.step };
    if (data.step > 0) save(this.saved);
    this.render(data);
    return true;
  }

  render(data) {
    const last = this.saved.history[this.saved.history.length - 1];
    this.root.querySelector("[data-train-step]").textContent = String(data.step);
    this.root.querySelector("[data-train-loss]").textContent = last?.[1] == null ? "—" : fmt(last[1], 4);
    this.root.querySelector("[data-train-test]").textContent = data.test_mse == null ? "—" : fmt(data.test_mse, 4);
    const run = data.run;
    this.root.querySelector("[data-train-pred]").textContent =
      run.target == null ? fmt(run.prediction, 2) : `${fmt(run.prediction, 2)} / ${fmt(run.target, 2)}`;
    if (data.step % 500 < (data.losses.length || 1)) this.say(`Step ${data.step}: test MSE ${fmt(data.test_mse, 4)}.`);
    this.drawLoss();
    this.drawGates(run);
  }

  drawLoss() {
    const history = this.saved.history;
    const train = history.filter((h) => h[1] != null).map((h) => [h[0], h[1]]);
    const test = history.filter((h) => h[2] != null).map((h) => [h[0], h[2]]);
    const width = Math.max(320, Math.min(900, this.chart.clientWidth || 640));
    const series = [
      { label: "training MSE", points: train, cls: "series-0" },
      { label: "test MSE", points: test, cls: "series-1" },
    ].filter((s) => s.points.length);
    if (!series.length) {
      const empty = document.createElement("p");
      empty.className = "chart-empty";
      empty.textContent = "The loss curve appears here once training starts: press Start.";
      this.chart.replaceChildren(empty);
      return;
    }
    const maxStep = Math.max(10, ...history.map((h) => h[0]));
    this.chart.replaceChildren(
      lineChart(series, {
        width,
        height: 260,
        log: true,
        xMin: 0,
        xMax: maxStep,
        yMin: 1e-4,
        yMax: 2,
        xLabel: "Adam steps",
        yLabel: "mean squared error (log)",
        labelRoom: width < 520 ? 96 : 130,
        hlines: [{ y: 1 / 6, label: "always guessing 1: 0.167" }],
        title: "Loss curve",
        desc: `After ${maxStep} steps: test MSE ${fmt(test[test.length - 1]?.[1], 4)}.`,
      }),
    );
  }

  drawGates(run) {
    const names = quantities(run.cell).map((q) => q.name);
    if ([...this.heatmaps.keys()].join() !== names.join()) {
      this.heatmaps.clear();
      this.maps.replaceChildren();
    }
    for (const q of quantities(run.cell)) {
      const values = valuesOf(run, q.name);
      let map = this.heatmaps.get(q.name);
      if (!map) {
        map = new Heatmap({
          name: q.name,
          title: q.title,
          description: `${q.about} Live model, ${run.H} units by ${run.T} steps.`,
          kind: q.kind,
          values,
          rowHeight: 8,
          on: {
            hover: (name, t, u) => this.readout(name, t, u),
            select: (name, t, u) => this.readout(name, t, u),
            key: (name, e) => this.key(name, e),
          },
        });
        this.heatmaps.set(q.name, map);
        this.maps.append(map.element);
        map.draw({ t: run.T - 1, u: 0 });
      } else {
        map.setData(values);
      }
    }
    this.run = run;
    this.strip.replaceChildren(inputStrip(run, run.T - 1));
  }

  key(name, event) {
    const map = this.heatmaps.get(name);
    const { t, u } = map.selection;
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (!moves[event.key]) return;
    event.preventDefault();
    const nt = Math.max(0, Math.min(map.T - 1, t + moves[event.key][0]));
    const nu = Math.max(0, Math.min(map.H - 1, u + moves[event.key][1]));
    this.readout(name, nt, nu);
  }

  readout(name, t, u) {
    for (const map of this.heatmaps.values()) map.draw({ t, u });
    const v = valuesOf(this.run, name)[t][u];
    this.readoutLine.textContent = `${name} of unit ${u + 1} at step ${t + 1}: ${fmt(v)}`;
  }

  redraw() {
    for (const map of this.heatmaps.values()) map.recolour();
    if (this.saved) this.drawLoss();
  }
}
