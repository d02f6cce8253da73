"""The lab's presets: named, ready-to-run configurations that cards link to.

This module only names and describes presets (no NumPy work at import), so the content loader
can check a card's `lab.preset` cheaply. Loading weights and running them lives in `lab.py`;
training the shipped weights in `train.py`.
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
    hidden: int = 16  # H
    weights: str | None = None  # file in app/nn/weights/; None: seeded random init, no training
    default_input: str = ""  # what run_preset feeds when the caller gives no input
    shows: str = ""  # what the preset demonstrates
    forget_bias: float = 0.0  # LSTM: the effective forget-gate bias at initialisation
    truncate: int | None = None  # truncated-BPTT window for the gradient presets; None: full


ADDING_INPUT = "one seeded adding-problem sequence, T = 50 (values in [0, 1], two marked steps)"
CHAR_INPUT = "the sentence 'The forget gate decides what the cell keeps.'"

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
            hidden=16,
            weights="adding-lstm.npz",
            default_input=ADDING_INPUT,
            shows="The input gate opens at the two marked steps; the cell state holds their sum.",
            forget_bias=1.0,
        ),
        Preset(
            "adding-peephole",
            "Peephole LSTM on the adding problem",
            "lstm",
            True,
            "adding",
            "A peephole LSTM trained on the adding problem at T = 50.",
            hidden=16,
            weights="adding-peephole.npz",
            default_input=ADDING_INPUT,
            shows="Gates that also see the cell state (i, f see c_{t-1}; o sees c_t).",
            forget_bias=1.0,
        ),
        Preset(
            "adding-gru",
            "GRU on the adding problem",
            "gru",
            False,
            "adding",
            "A GRU trained on the adding problem at T = 50.",
            hidden=16,
            weights="adding-gru.npz",
            default_input=ADDING_INPUT,
            shows="The update gate z stays near 1 (keep) except where a marked value is written.",
        ),
        Preset(
            "adding-rnn",
            "Plain RNN on the adding problem",
            "rnn",
            False,
            "adding",
            "An Elman RNN given the same training budget on the adding problem at T = 50.",
            hidden=16,
            weights="adding-rnn.npz",
            default_input=ADDING_INPUT,
            shows="With the same budget the plain RNN does not learn to carry the first value.",
        ),
        Preset(
            "char-lstm",
            "Character model",
            "lstm",
            False,
            "char",
            "A character-level LSTM trained on the text of this deck.",
            hidden=64,
            weights="char-lstm.npz",
            default_input=CHAR_INPUT,
            shows="Gate activity while reading text, and the top-5 next characters at each step.",
            forget_bias=1.0,
        ),
        Preset(
            "char-lstm-small",
            "Small character model",
            "lstm",
            False,
            "char",
            "The character model with a much smaller hidden state.",
            hidden=16,
            weights="char-lstm-small.npz",
            default_input=CHAR_INPUT,
            shows="Less state, worse predictions: compare its bits per character with char-lstm.",
            forget_bias=1.0,
        ),
        Preset(
            "vanishing-gradients",
            "Vanishing gradients",
            "rnn",
            False,
            "gradients",
            "Gradient norms against steps back for RNN, LSTM and GRU on one input.",
            hidden=32,
            default_input=ADDING_INPUT,
            shows="‖∂L/∂h_t‖ for a loss at the last step falls geometrically for the plain RNN.",
        ),
        Preset(
            "forget-bias",
            "Forget-gate bias",
            "lstm",
            False,
            "gradients",
            "How the forget-gate bias decides whether the LSTM's gradient survives.",
            hidden=32,
            default_input=ADDING_INPUT,
            shows="Raising the forget-gate bias keeps f near 1, so ‖∂L/∂h_t‖ decays more slowly.",
            forget_bias=2.0,
        ),
        Preset(
            "truncated-bptt",
            "Truncated BPTT",
            "lstm",
            False,
            "gradients",
            "Full against truncated backpropagation through time.",
            hidden=32,
            default_input=ADDING_INPUT,
            shows="With truncation k the gradient of the last step's loss stops k steps back.",
            forget_bias=2.0,  # so that the full gradient visibly reaches further than k
            truncate=10,
        ),
    )
}

PRESET_NAMES: frozenset[str] = frozenset(PRESETS)
