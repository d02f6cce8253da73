// Heatmap colours: a sequential ramp for the sigmoid gates (values in [0, 1]) and a diverging
// one for signed values (g, c, h, n). The stops live in lab.css as custom properties, one set per
// theme, built from Okabe & Ito's colour-blind-safe blue, vermillion and bluish green; within a
// ramp the lightness changes monotonically, so order survives any colour-vision deficiency.

const SEQUENTIAL = ["--hm-seq-0", "--hm-seq-1", "--hm-seq-2", "--hm-seq-3"];
const DIVERGING = ["--hm-div-neg2", "--hm-div-neg1", "--hm-div-mid", "--hm-div-pos1", "--hm-div-pos2"];
const SIZE = 256;

function rgb(text) {
  const hex = text.trim().replace("#", "");
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex;
  const n = Number.parseInt(full || "888888", 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function table(stops) {
  const out = new Uint8ClampedArray(SIZE * 3);
  for (let k = 0; k < SIZE; k++) {
    const x = (k / (SIZE - 1)) * (stops.length - 1);
    const i = Math.min(Math.floor(x), stops.length - 2);
    const f = x - i;
    for (let c = 0; c < 3; c++) out[k * 3 + c] = stops[i][c] + (stops[i + 1][c] - stops[i][c]) * f;
  }
  return out;
}

let cache = null;

/** The two lookup tables for the current theme (call again after a theme change). */
export function palettes(refresh = false) {
  if (cache && !refresh) return cache;
  const style = getComputedStyle(document.documentElement);
  const read = (names) => names.map((name) => rgb(style.getPropertyValue(name)));
  cache = { gate: table(read(SEQUENTIAL)), signed: table(read(DIVERGING)) };
  return cache;
}

/** How a quantity maps to colour: gates on [0, 1]; signed values on [-m, m] around zero. */
export function scaleFor(kind, values) {
  if (kind === "gate") return { kind, min: 0, max: 1 };
  let m = 0;
  for (const row of values) for (const v of row) m = Math.max(m, Math.abs(v));
  if (kind === "bounded") m = 1; // tanh outputs: always (-1, 1), so heatmaps compare
  return { kind, min: -Math.max(m, 1e-9), max: Math.max(m, 1e-9) };
}

/** The lookup-table index of value v on a scale. */
export function position(scale, v) {
  const t = (v - scale.min) / (scale.max - scale.min);
  return Math.max(0, Math.min(SIZE - 1, Math.round(t * (SIZE - 1))));
}

export function colour(scale, v) {
  const lut = scale.kind === "gate" ? palettes().gate : palettes().signed;
  const k = position(scale, v) * 3;
  return [lut[k], lut[k + 1], lut[k + 2]];
}

export function css(scale, v) {
  const [r, g, b] = colour(scale, v);
  return `rgb(${r} ${g} ${b})`;
}

/** A legend: the colour bar with its ends and middle labelled by value and meaning. */
export function legend(scale, observed) {
  const box = document.createElement("div");
  box.className = "legend";
  const bar = document.createElement("canvas");
  bar.className = "legend-bar";
  bar.width = 160;
  bar.height = 10;
  bar.setAttribute("aria-hidden", "true");
  const ctx = bar.getContext("2d");
  for (let x = 0; x < bar.width; x++) {
    const v = scale.min + ((scale.max - scale.min) * x) / (bar.width - 1);
    ctx.fillStyle = css(scale, v);
    ctx.fillRect(x, 0, 1, bar.height);
  }
  const labels = document.createElement("div");
  labels.className = "legend-labels";
  const ends =
    scale.kind === "gate"
      ? ["0 closed", "0.5", "1 open"]
      : [`−${fmt(scale.max, 2)}`, "0", `+${fmt(scale.max, 2)}`];
  for (const text of ends) {
    const span = document.createElement("span");
    span.textContent = text;
    labels.append(span);
  }
  const note = document.createElement("p");
  note.className = "legend-note";
  const kind =
    scale.kind === "gate"
      ? "σ gate: a fraction in [0, 1]; the stronger the colour, the more open."
      : scale.kind === "bounded"
        ? "Blue negative, orange positive, faint near 0; tanh range (−1, 1)."
        : scale.kind === "change"
          ? "Held minus untouched: blue lower, orange higher, faint where nothing changed; scaled to the largest change."
          : "Blue negative, orange positive, faint near 0; scaled to this run's largest |c|.";
  note.textContent = `${kind} This run: ${fmt(observed.min, 2)} to ${fmt(observed.max, 2)}.`;
  box.append(bar, labels, note);
  return box;
}

export function extent(values) {
  let min = Infinity;
  let max = -Infinity;
  for (const row of values) {
    for (const v of row) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return { min, max };
}

/** A number for people: 3 decimals (2 significant digits for tiny ones), a real minus sign. */
export function fmt(v, digits = 3) {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  const a = Math.abs(v);
  let text;
  if (a !== 0 && (a < 10 ** -digits || a >= 1e5)) text = v.toExponential(1);
  else text = v.toFixed(digits);
  return text.replace("-", "−");
}
