"""The lab's presets: named, ready-to-run configurations that cards link to.

This module only names and describes presets (no NumPy work at import), so the content loader
can check a card's `lab.preset` cheaply. Loading weights and running them lives beside it.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    title: str
    cell: str  # "lstm" | "gru" | "rnn"
    peepholes: bool
    task: str  # "adding" | "char" | "gradients"
    summary: str


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "adding-lstm",
            "LSTM on the adding problem",
            "lstm",
            False,
            "adding",
            "An LSTM trained on the adding problem at T = 50.",
        ),
        Preset(
            "adding-peephole",
            "Peephole LSTM on the adding problem",
            "lstm",
            True,
            "adding",
            "A peephole LSTM trained on the adding problem at T = 50.",
        ),
        Preset(
            "adding-gru",
            "GRU on the adding problem",
            "gru",
            False,
            "adding",
            "A GRU trained on the adding problem at T = 50.",
        ),
        Preset(
            "adding-rnn",
            "Plain RNN on the adding problem",
            "rnn",
            False,
            "adding",
            "An Elman RNN given the same training budget on the adding problem at T = 50.",
        ),
        Preset(
            "char-lstm",
            "Character model",
            "lstm",
            False,
            "char",
            "A character-level LSTM trained on the text of this deck.",
        ),
        Preset(
            "char-lstm-small",
            "Small character model",
            "lstm",
            False,
            "char",
            "The character model with a much smaller hidden state.",
        ),
        Preset(
            "vanishing-gradients",
            "Vanishing gradients",
            "rnn",
            False,
            "gradients",
            "Gradient norms against steps back for RNN, LSTM and GRU on one input.",
        ),
        Preset(
            "forget-bias",
            "Forget-gate bias",
            "lstm",
            False,
            "gradients",
            "How the forget-gate bias decides whether the LSTM's gradient survives.",
        ),
        Preset(
            "truncated-bptt",
            "Truncated BPTT",
            "lstm",
            False,
            "gradients",
            "Full against truncated backpropagation through time.",
        ),
    )
}

PRESET_NAMES: frozenset[str] = frozenset(PRESETS)
