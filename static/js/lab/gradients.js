// The gradients view: ‖∂L/∂h_t‖ against steps back on a log scale for RNN, LSTM and GRU on the
// same input, with the LSTM's forget-gate bias on a slider (and an optional truncation window).

import { ApiError, postJSON } from "./api.js";
import { chartLegend, lineChart, seriesTable } from "./chart.js";

function sigmoid(x) {
  return 1 / (1 + Math.exp(-x));
}

/** Which curves a preset compares; the slider sets the forget bias of the highlighted LSTM. */
export function seriesFor(preset, fb, k) {
  const lstm = { cell: "lstm", forget_bias: fb };
  let list;
  if (preset === "vanishing-gradients") list = [{ cell: "rnn" }, { cell: "gru" }, { cell: "lstm", forget_bias: 0 }, lstm];
  else if (preset === "truncated-bptt") list = [lstm, { ...lstm, truncate: k ?? 10 }];
  else if (preset === "forget-bias") list = [{ cell: "lstm", forget_bias: 0 }, lstm, { cell: "rnn" }];
  else list = [{ cell: "rnn" }, lstm, { cell: "gru" }];
  if (k && preset !== "truncated-bptt") list.push({ ...lstm, truncate: k });
  // Two identical LSTM curves (bias 0 twice) would hide each other: keep one.
  const seen = new Set();
  return list.filter((s) => {
    const key = JSON.stringify(s);
    return seen.has(key) ? false : seen.add(key);
  });
}

export class GradientsView {
  constructor(root, { onChange }) {
    this.root = root;
    this.onChange = onChange;
    this.form = root.querySelector("[data-grad-controls]");
    this.slider = root.querySelector("#grad-fb");
    this.truncate = root.querySelector("#grad-truncate");
    this.T = root.querySelector("#grad-T");
    this.H = root.querySelector("#grad-H");
    this.chart = root.querySelector("[data-grad-chart]");
    this.table = root.querySelector("[data-grad-table]");
    this.error = root.querySelector("[data-grad-error]");
    this.request = 0;
    this.timer = null;
    this.context = null;
    this.mark = null;
    this.form.addEventListener("submit", (e) => e.preventDefault());
    this.slider.addEventListener("input", () => {
      this.showBias();
      this.schedule(60);
    });
    for (const input of [this.truncate, this.T, this.H]) input.addEventListener("change", () => this.schedule(0));
  }

  showBias() {
    const fb = Number(this.slider.value);
    this.root.querySelector("[data-fb-out]").textContent = fb.toString().replace("-", "−");
    this.root.querySelector("[data-fb-sigma]").textContent = sigmoid(fb).toFixed(2);
  }

  /** Settings from the URL state, and the run whose input the curves share. */
  configure(state, run) {
    const preset = state.preset;
    const presetBias = Number(document.querySelector(`#lab-preset option[value="${preset}"]`)?.dataset.forgetBias ?? 0);
    const fb = state.fb ?? (["forget-bias", "truncated-bptt"].includes(preset) ? presetBias : 1);
    this.slider.value = String(fb);
    this.truncate.value = state.k ?? "";
    const inputT = run?.input && run.D === 2 ? run.input.length : null;
    this.T.value = String(state.gT ?? inputT ?? 50);
    this.H.value = String(state.gH ?? 32);
    this.context = { preset, run, seed: state.seed ?? 0 };
    this.showBias();
  }

  values() {
    const k = Number.parseInt(this.truncate.value, 10);
    return {
      fb: Number(this.slider.value),
      k: Number.isFinite(k) && k > 0 ? k : null,
      T: Number.parseInt(this.T.value, 10),
      H: Number.parseInt(this.H.value, 10),
    };
  }

  schedule(delay) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.load(), delay);
  }

  async load() {
    if (!this.context) return;
    const { fb, k, T, H } = this.values();
    const { preset, run, seed } = this.context;
    const body = { series: seriesFor(preset, fb, k), H, seed };
    const inputT = run?.input && run.D === 2 ? run.input.length : null;
    if (inputT && T === inputT) body.input = run.input;
    else body.T = T;
    this.onChange?.({ fb, k, gT: inputT && T === inputT ? null : T, gH: H === 32 ? null : H });
    const id = ++this.request;
    try {
      const data = await postJSON("/api/lab/gradients", body);
      if (id !== this.request) return;
      this.error.hidden = true;
      this.render(data);
    } catch (error) {
      if (id !== this.request || !(error instanceof ApiError)) return;
      this.error.textContent = error.message;
      this.error.hidden = false;
    }
  }

  render(data) {
    this.data = data;
    const series = data.series.map((s) => ({
      label: s.label,
      points: s.steps_back.map((back, j) => [back, s.norms[j]]).reverse(),
    }));
    const width = Math.max(340, Math.min(900, this.chart.clientWidth || 640));
    const narrow = width < 520;
    const marks = this.mark ? [{ x: this.mark.steps_back, label: `${this.mark.steps_back} steps back`, cls: "evidence" }] : [];
    const svg = lineChart(series, {
      width,
      height: narrow ? 300 : 340,
      log: true,
      xLabel: "steps back from the loss (T − t)",
      yLabel: "‖∂L/∂hₜ‖ (log scale)",
      legend: true,
      marks,
      title: "Gradient norm against steps back",
      desc: series
        .map((s) => {
          const far = s.points[s.points.length - 1];
          return `${s.label}: ${far[1] === 0 ? "0" : far[1].toExponential(1)} at ${far[0]} steps back`;
        })
        .join("; "),
    });
    this.chart.replaceChildren(svg, chartLegend(series));
    this.table.replaceChildren(seriesTable(series, "steps back", "‖∂L/∂hₜ‖ for a unit gradient at the last step"));
  }

  highlight(evidence) {
    this.mark = evidence;
    if (this.data) this.render(this.data);
  }
}
