// What each heatmap shows, per cell: its symbol, name, colour scale and one-line meaning.

export const QUANTITIES = {
  lstm: [
    { name: "i", title: "i · input gate", kind: "gate", about: "How much of the candidate g enters the cell." },
    { name: "f", title: "f · forget gate", kind: "gate", about: "How much of the previous cell state is kept." },
    { name: "g", title: "g · candidate", kind: "bounded", about: "The new content proposed for the cell, in (−1, 1)." },
    { name: "o", title: "o · output gate", kind: "gate", about: "How much of tanh(c) is shown as h." },
    { name: "c", title: "c · cell state", kind: "signed", about: "The memory: f·c₍ₜ₋₁₎ + i·g." },
    { name: "h", title: "h · hidden state", kind: "bounded", about: "The output of the cell: o·tanh(c)." },
  ],
  gru: [
    { name: "r", title: "r · reset gate", kind: "gate", about: "How much of h₍ₜ₋₁₎ the candidate n sees." },
    { name: "z", title: "z · update gate", kind: "gate", about: "How much of h₍ₜ₋₁₎ is kept (1 − z of n is let in)." },
    { name: "n", title: "n · candidate", kind: "bounded", about: "The new content proposed for h, in (−1, 1)." },
    { name: "h", title: "h · hidden state", kind: "bounded", about: "(1 − z)·n + z·h₍ₜ₋₁₎: the GRU's only memory." },
  ],
  rnn: [{ name: "h", title: "h · hidden state", kind: "bounded", about: "tanh of the input and the previous h." }],
};

export function quantities(cell) {
  return QUANTITIES[cell] ?? QUANTITIES.lstm;
}

/** The T × H array of a quantity in a run response. */
export function valuesOf(run, name) {
  if (name === "c") return run.c;
  if (name === "h") return run.h;
  return run.gates[name];
}
