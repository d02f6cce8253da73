// Compare cells: the trained LSTM, GRU and plain RNN of the adding problem on the same input,
// side by side: each one's running prediction over time, and ‖∂ŷ_T/∂h_t‖, how much each
// step's state can still move the final answer. The long-sequence lesson without switching.

import { ApiError, postJSON } from "./api.js";
import { chartLegend, lineChart, seriesTable } from "./chart.js";
import { fmt } from "./palette.js";

const CELLS = [
  ["adding-lstm", "LSTM"],
  ["adding-gru", "GRU"],
  ["adding-rnn", "RNN"],
];

export class CompareView {
  /** root: #view-compare; onTrain(): open Train live on the plain RNN at T = 50. */
  constructor(root, { onTrain }) {
    this.root = root;
    this.readout = root.querySelector("[data-compare-readout]");
    this.grads = root.querySelector("[data-compare-grads]");
    this.tables = root.querySelector("[data-compare-tables]");
    this.error = root.querySelector("[data-compare-error]");
    this.status = root.querySelector("[data-compare-status]");
    this.input = null;
    this.request = 0;
    root.querySelector('[data-action="train-rnn"]').addEventListener("click", () => onTrain());
  }

  /** The adding-problem input the three cells share (T × 2), or null for other runs. */
  configure(run) {
    const ok = Boolean(run?.input && run.D === 2);
    this.input = ok ? run.input : null;
    this.root.querySelector("[data-compare-none]").hidden = ok;
    this.root.querySelector("[data-compare-body]").hidden = !ok;
  }

  async load() {
    if (!this.input) return;
    const id = ++this.request;
    this.status.textContent = "Running the LSTM, GRU and RNN on this input…";
    try {
      const runs = await Promise.all(
        CELLS.map(([preset]) => postJSON("/api/lab/run", { preset, input: this.input, grad_norms: true })),
      );
      if (id !== this.request) return;
      this.error.hidden = true;
      this.render(runs);
    } catch (error) {
      if (id !== this.request || !(error instanceof ApiError)) return;
      this.status.textContent = "";
      this.error.textContent = error.message;
      this.error.hidden = false;
    }
  }

  render(runs) {
    const target = runs[0].target;
    const T = runs[0].T;
    const width = Math.max(320, Math.min(900, this.readout.clientWidth || 640));
    const narrow = width < 520;
    const outputs = runs.map((run, k) => ({
      label: CELLS[k][1],
      points: run.outputs.map((row, t) => [t + 1, row[0]]),
    }));
    const marked = runs[0].input.flatMap((row, t) => (row[1] === 1 ? [t + 1] : []));
    const readoutChart = lineChart(outputs, {
      width,
      height: narrow ? 260 : 300,
      legend: true,
      xLabel: "step t",
      yLabel: "prediction ŷₜ",
      hlines: target === null ? [] : [{ y: target, label: `true sum ${fmt(target)}` }],
      marks: marked.map((x) => ({ x, label: "marked" })),
      title: "Each cell's prediction over time",
      desc: outputs.map((s) => `${s.label}: ${fmt(s.points[s.points.length - 1][1])} at the last step`).join("; ") + (target === null ? "" : `; true sum ${fmt(target)}`),
    });
    this.readout.replaceChildren(readoutChart, chartLegend(outputs));
    const norms = runs.map((run, k) => ({
      label: CELLS[k][1],
      points: run.grad_norms.map((n, t) => [t + 1, n]),
    }));
    const gradChart = lineChart(norms, {
      width,
      height: narrow ? 260 : 300,
      legend: true,
      log: true,
      xLabel: "step t",
      yLabel: "‖∂ŷ_T/∂hₜ‖ (log)",
      marks: marked.map((x) => ({ x, label: "marked" })),
      title: "How much each step's hidden state can still move the final prediction",
      desc: norms.map((s) => `${s.label}: ${s.points[0][1].toExponential(1)} at step 1, ${s.points[s.points.length - 1][1].toExponential(1)} at step ${T}`).join("; "),
    });
    this.grads.replaceChildren(gradChart, chartLegend(norms));
    this.tables.replaceChildren(
      seriesTable(outputs, "step", "Prediction at each step"),
      seriesTable(norms, "step", "‖∂ŷ_T/∂hₜ‖ at each step"),
    );
    const verdict = runs
      .map((run, k) => `${CELLS[k][1]} ${fmt(run.prediction)}`)
      .join(", ");
    this.status.textContent = `Final predictions: ${verdict}${target === null ? "" : ` (true sum ${fmt(target)})`}.`;
  }
}
