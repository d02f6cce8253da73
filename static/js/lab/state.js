// The whole lab state lives in the URL, so a link reproduces the view: preset, card, input
// (a typed text or a number sequence; otherwise a seed), highlighted gate, step, unit, view and
// the gradient controls. Steps and units are 1-based here, as on screen.

const INTS = ["seed", "step", "unit", "T", "k", "gT", "gH", "len", "sseed", "tour", "tv"];
const FLOATS = ["fb", "temp"];
const STRINGS = ["preset", "card", "text", "input", "gate", "tab", "hold", "view", "feature", "uq", "prime"];
export const TABS = ["gates", "units", "sample", "compare", "gradients", "train"];

export function readURL(search = window.location.search) {
  const params = new URLSearchParams(search);
  const state = {};
  for (const key of STRINGS) if (params.has(key)) state[key] = params.get(key);
  for (const key of INTS) {
    const n = Number.parseInt(params.get(key) ?? "", 10);
    if (Number.isFinite(n) && n >= 0) state[key] = n;
  }
  for (const key of FLOATS) {
    const x = Number.parseFloat(params.get(key) ?? "");
    if (Number.isFinite(x)) state[key] = x;
  }
  if (state.tab && !TABS.includes(state.tab)) delete state.tab;
  return state;
}

/** The query string for a state (keys in a stable order; empty values left out). */
export function toQuery(state) {
  const params = new URLSearchParams();
  for (const key of [...STRINGS, ...INTS, ...FLOATS]) {
    const value = state[key];
    if (value === undefined || value === null || value === "") continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

let pending = null;

/** Update the address bar without a new history entry (debounced: scrubbing fires often). */
export function writeURL(state) {
  clearTimeout(pending);
  pending = setTimeout(() => {
    const url = `${window.location.pathname}${toQuery(state)}`;
    if (url !== `${window.location.pathname}${window.location.search}`) {
      window.history.replaceState(null, "", url);
    }
  }, 150);
  return `${window.location.pathname}${toQuery(state)}`;
}

// --- the number-sequence syntax: "0.12 0.55* 0.30" (a * marks a step) --------------------------

/** T × 2 rows → "0.12 0.55* 0.3" (sep " " for the text box, "," for the URL). */
export function formatSequence(rows, sep = " ") {
  return rows
    .map(([value, marker]) => `${Number(value.toFixed(3))}${marker === 1 ? "*" : ""}`)
    .join(sep);
}

/** The inverse; throws an Error naming the first bad token. */
export function parseSequence(text, maxT) {
  const tokens = text.split(/[\s,;]+/).filter(Boolean);
  if (tokens.length < 2) throw new Error("Enter at least two values.");
  if (tokens.length > maxT) throw new Error(`At most ${maxT} values (T ≤ ${maxT}); this has ${tokens.length}.`);
  return tokens.map((token, k) => {
    const marked = token.endsWith("*");
    const value = Number(marked ? token.slice(0, -1) : token);
    if (!Number.isFinite(value)) throw new Error(`Value ${k + 1} (“${token}”) is not a number.`);
    return [value, marked ? 1 : 0];
  });
}

// --- a T × D input for uploaded weights: one row per line, numbers split by commas or spaces --

/** T × D rows → CSV text, 4 significant digits (what the matrix box shows). */
export function formatMatrix(rows) {
  return rows.map((row) => row.map((v) => Number(v.toPrecision(4))).join(", ")).join("\n");
}

/** The inverse, checked against the model's D; throws an Error naming the first bad row. */
export function parseMatrix(text, D, maxT) {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  if (lines.length < 2) throw new Error("Enter at least two rows (steps).");
  if (lines.length > maxT) throw new Error(`At most ${maxT} rows (T ≤ ${maxT}); this has ${lines.length}.`);
  return lines.map((line, t) => {
    const row = line.split(/[\s,;]+/).filter(Boolean).map(Number);
    if (row.some((v) => !Number.isFinite(v))) throw new Error(`Row ${t + 1} holds something that is not a number.`);
    if (D && row.length !== D) throw new Error(`Row ${t + 1} has ${row.length} numbers; these weights take D = ${D}.`);
    return row;
  });
}
