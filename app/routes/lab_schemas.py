"""Request and response models of the lab's JSON API, with the limits in their Field constraints
(so /docs and /openapi.json state them and a request over a limit gets a 422 naming the field)."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.nn import lab
from app.services.lab_state import MAX_TOKEN, MAX_TRAIN_H, MAX_TRAIN_T

MAX_UPLOAD = 2 * 1024 * 1024  # bytes: an H = 128 LSTM in float32 is about 0.3 MB
MAX_SERIES = 8
MAX_SEED = 2**32 - 1

Cell = Literal["lstm", "gru", "rnn"]
Nonlinearity = Literal["tanh", "relu"]
Finite = Annotated[float, Field(allow_inf_nan=False)]
Row = Annotated[list[Finite], Field(min_length=1, max_length=lab.MAX_D)]
Matrix = list[list[float]]

INPUT_DOC = (
    f"One sequence: T rows (T ≤ {lab.MAX_T}) of D finite numbers (D ≤ {lab.MAX_D}). The "
    "adding presets take D = 2: [value in [0, 1], marker 0 or 1]; exactly two marked rows make "
    "a proper adding problem. Leave out for a seeded random sequence."
)
SeqInput = Annotated[
    list[Row] | None, Field(None, min_length=2, max_length=lab.MAX_T, description=INPUT_DOC)
]
Seed = Annotated[
    int | None,
    Field(None, ge=0, le=MAX_SEED, description="Seed of the random input (and of random inits)"),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- run ------------------------------------------------------------------------------------------


Quantity = Literal["i", "f", "g", "o", "c", "h", "r", "z", "n"]


class InterventionIn(Strict):
    """Hold one unit's value over steps [from_step, to_step): computed as usual, then replaced,
    and everything after it (in that step and later ones) uses the held value."""

    quantity: Quantity = Field(
        description="LSTM (also with peepholes): i, f, g, o, c, h; GRU: r, z, n, h; RNN: h"
    )
    unit: int = Field(ge=0, lt=lab.MAX_H, description="0-based unit (must be < H)")
    from_step: int = Field(ge=0, lt=lab.MAX_T, description="0-based first step held")
    to_step: int = Field(ge=1, le=lab.MAX_T, description="One past the last step held (≤ T)")
    value: float = Field(
        ge=-100,
        le=100,
        allow_inf_nan=False,
        description="The activation to hold: σ gates (i, f, o, r, z) in [0, 1], g and n in "
        "[-1, 1]; c and h any value in [-100, 100]",
    )


class RunIn(Strict):
    """A preset (or, with the multipart form, uploaded weights) and one input sequence."""

    preset: str | None = Field(
        None,
        max_length=40,
        description="A preset name (GET /api/lab/presets lists them). Left out: the adding-problem "
        "preset of `cell` (or the uploaded weights, with the multipart form)",
    )
    cell: Cell | None = Field(
        None, description="lstm, gru or rnn; must match the preset's or the uploaded weights' cell"
    )
    peepholes: bool | None = Field(None, description="LSTM with peephole connections")
    nonlinearity: Nonlinearity | None = Field(
        None,
        description="Uploaded RNN weights: the nonlinearity the nn.RNN was built with (tanh, "
        'PyTorch\'s default, when left out; relu for nn.RNN(nonlinearity="relu")). The presets '
        "use tanh",
    )
    input: SeqInput
    text: str | None = Field(
        None,
        min_length=1,
        max_length=lab.MAX_T,
        description=f"Typed text for a character model (T = its length ≤ {lab.MAX_T})",
    )
    seed: Seed
    T: int | None = Field(
        None,
        ge=2,
        le=lab.MAX_T,
        description=f"Length of the random input (default {lab.DEFAULT_T})",
    )
    forget_bias: float | None = Field(
        None, ge=-10, le=10, description="Gradient presets: the LSTM forget-gate bias"
    )
    truncate: int | None = Field(
        None, ge=1, le=lab.MAX_T, description="truncated-bptt: the window k in steps"
    )
    include_pre: bool = Field(
        False, description="Also return each gate's pre-activation (the argument of σ or tanh)"
    )
    interventions: list[InterventionIn] | None = Field(
        None,
        max_length=8,
        description="At most 8 units to hold (trained presets and uploads): the response is the "
        "intervened run",
    )
    baseline: bool = Field(
        False, description="With interventions: also return the untouched run as `baseline`"
    )
    grad_norms: bool = Field(
        False, description="Adding presets: also return ‖∂ŷ_T/∂h_t‖ per step (untouched run)"
    )


class BaselineOut(BaseModel):
    """The untouched run, to compare an intervened one with."""

    gates: dict[str, Matrix]
    c: Matrix | None = None
    h: Matrix
    outputs: Matrix
    pre: dict[str, Matrix] | None = None
    prediction: float | None = None
    top5: list[list[tuple[str, float]]] | None = None


class QuestionOut(BaseModel):
    id: str
    text: str
    choices: list[dict[str, str]] = Field(description="[{value, label}]; answer with a value")


class GradientSeriesOut(BaseModel):
    label: str
    cell: Cell
    T: int
    H: int
    forget_bias: float
    truncate: int | None
    norms: list[float] = Field(description="‖∂L/∂h_t‖ for t = 1..T; the last is 1")
    steps_back: list[int] = Field(description="T - t for each norm: T-1 down to 0")


class RunOut(BaseModel):
    """Every array is for the first sequence, T × H, floats rounded to 5 significant digits."""

    source: Literal["preset", "upload"]
    preset: str | None
    filename: str | None = None
    cell: Cell
    peepholes: bool
    nonlinearity: Nonlinearity | None = Field(None, description="RNN: tanh or relu")
    T: int
    H: int
    D: int
    seed: int
    gates: dict[str, Matrix] = Field(
        description="LSTM: i, f, g, o; GRU: r, z, n; RNN: none (its h is the only activation)"
    )
    c: Matrix | None = Field(None, description="LSTM cell state (other cells: absent)")
    h: Matrix
    outputs: Matrix = Field(
        description="T × O readout (adding: the running prediction; char: next-character "
        "logits); T × H hidden states when the model has no readout"
    )
    pre: dict[str, Matrix] | None = Field(None, description="With include_pre: T × H arguments")
    input: Matrix | None = Field(None, description="The T × D input (None for text)")
    text: str | None = None
    top5: list[list[tuple[str, float]]] | None = Field(
        None, description="Character models: per step five [character, probability] pairs"
    )
    prediction: float | None = Field(None, description="Adding: the output at the last step")
    target: float | None = Field(None, description="Adding: the sum of the two marked values")
    forget_bias: float | None = None
    gradient_norms: list[GradientSeriesOut] | None = Field(
        None, description="Gradient presets: the series their card compares"
    )
    baseline: BaselineOut | None = Field(None, description="With baseline: the untouched run")
    grad_norms: list[float] | None = Field(
        None, description="With grad_norms: ‖∂ŷ_T/∂h_t‖ for t = 0..T-1"
    )
    question: QuestionOut | None = Field(
        None,
        description="Predict, then see: a question about this run (answer it at "
        "POST /api/lab/predictions before looking)",
    )


# --- units ----------------------------------------------------------------------------------------


class UnitsIn(Strict):
    """Rank every unit by how closely its h (or c) follows a target over the steps."""

    preset: str | None = Field(
        None, max_length=40, description="A trained preset (adding or char); leave out to upload"
    )
    input: SeqInput
    text: str | None = Field(
        None, min_length=1, max_length=lab.MAX_T, description="Character models: the text to read"
    )
    seed: Seed
    quantity: Literal["h", "c"] = Field("h", description="h, or c (LSTM only)")
    feature: str | None = Field(
        None,
        max_length=40,
        description="Char models: inside-quotes, inside-parens, position-in-word, after-newline, "
        "is-vowel, is-space; adding: after-first-marker, running-sum",
    )
    target: list[Finite] | None = Field(
        None, min_length=2, max_length=lab.MAX_T, description="Instead of a feature: T numbers"
    )
    nonlinearity: Nonlinearity | None = Field(
        None, description="Uploaded RNN weights: tanh (PyTorch's default) or relu"
    )


class UnitOut(BaseModel):
    unit: int
    r: float = Field(description="Pearson correlation of the unit's series with the target")
    series: list[float] = Field(description="The unit's h (or c) at each step")


class UnitsOut(BaseModel):
    quantity: Literal["h", "c"]
    feature: str | None
    T: int
    target: list[float]
    units: list[UnitOut] = Field(description="Every unit, by |r| descending")
    text: str | None = None


# --- sample ---------------------------------------------------------------------------------------


class SampleIn(Strict):
    """Generate text from a character model."""

    preset: str | None = Field(
        None, max_length=40, description="A character preset; leave out to upload char weights"
    )
    prime: str = Field(
        lab.DEFAULT_TEXT[:20],
        min_length=1,
        max_length=lab.MAX_T,
        description="The text the model reads first",
    )
    length: int = Field(200, ge=1, le=lab.MAX_SAMPLE, description="Characters to generate")
    temperature: float = Field(
        1.0, ge=0, le=2, allow_inf_nan=False, description="0: greedy; 1: the model's own odds"
    )
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Same seed, same text")


class SampledChar(BaseModel):
    char: str
    p: float = Field(description="The model's probability of this character (at temperature 1)")
    top5: list[tuple[str, float]]


class SampleOut(BaseModel):
    prime: str
    text: str = Field(description="The generated characters (without the prime)")
    temperature: float
    seed: int
    chars: list[SampledChar]


# --- gradients ------------------------------------------------------------------------------------


class SeriesIn(Strict):
    cell: Cell
    forget_bias: float = Field(0.0, ge=-10, le=10, description="LSTM only")
    truncate: int | None = Field(None, ge=1, le=lab.MAX_T, description="Truncated BPTT window")


def _default_series() -> list[SeriesIn]:
    return [SeriesIn(cell="rnn"), SeriesIn(cell="lstm", forget_bias=1.0), SeriesIn(cell="gru")]


class GradientsIn(Strict):
    """‖∂L/∂h_t‖ for a loss at the last step, for each series on the same input."""

    series: list[SeriesIn] = Field(
        default_factory=_default_series,
        min_length=1,
        max_length=MAX_SERIES,
        description="Which cells to compare (default RNN, LSTM with forget bias 1, GRU)",
    )
    T: int = Field(lab.DEFAULT_T, ge=2, le=lab.MAX_T, description="Steps (ignored with input)")
    H: int = Field(32, ge=1, le=lab.MAX_H, description="Hidden units")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Seeds the init, the input and u")
    input: list[Annotated[list[Finite], Field(min_length=2, max_length=2)]] | None = Field(
        None, min_length=2, max_length=lab.MAX_T, description="T × 2 adding-problem input"
    )


class GradientsOut(BaseModel):
    T: int
    H: int
    seed: int
    series: list[GradientSeriesOut]


# --- train ----------------------------------------------------------------------------------------


class TrainConfig(Strict):
    cell: Cell = "lstm"
    peepholes: bool = False
    H: int = Field(16, ge=1, le=MAX_TRAIN_H, description="Hidden units")
    T: int = Field(20, ge=2, le=MAX_TRAIN_T, description="Sequence length of the adding problem")
    batch: int = Field(32, ge=1, le=lab.MAX_BATCH)
    lr: float = Field(1e-2, gt=0, le=1, description="Adam learning rate")
    seed: int = Field(0, ge=0, le=MAX_SEED)
    forget_bias: float = Field(1.0, ge=-10, le=10, description="LSTM forget-gate bias at init")


class ProbeIn(Strict):
    input: list[Annotated[list[Finite], Field(min_length=2, max_length=2)]] | None = Field(
        None, min_length=2, max_length=lab.MAX_T, description="T × 2 sequence to show the gates on"
    )
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Seeded random sequence when no input")


class TrainIn(Strict):
    """One bounded chunk of live training on the adding problem."""

    state: str | None = Field(
        None,
        max_length=MAX_TOKEN,
        description="The signed state from the previous response; left out: a new model from "
        "`config`",
    )
    config: TrainConfig = Field(
        default_factory=TrainConfig, description="The model to start (ignored with a state)"
    )
    steps: int = Field(
        20,
        ge=0,
        le=lab.MAX_CHUNK,
        description=f"Adam steps in this chunk (≤ {lab.MAX_CHUNK}; also, in multiply-adds, "
        f"steps × T × (batch × G × H × (H + 2) + {lab.STEP_OVERHEAD}) ≤ {lab.MAX_TRAIN_WORK}, "
        "G = 4 LSTM, 3 GRU, 1 RNN)",
    )
    probe: ProbeIn = Field(
        default_factory=ProbeIn, description="The sequence the gates are shown on"
    )


class LiveRunOut(BaseModel):
    cell: Cell
    T: int
    H: int
    gates: dict[str, Matrix]
    c: Matrix | None = None
    h: Matrix
    outputs: Matrix
    input: Matrix
    prediction: float
    target: float | None


class TrainOut(BaseModel):
    state: str = Field(description="Signed training state: send it back to continue")
    cell: Cell
    peepholes: bool
    H: int
    T: int
    batch: int
    lr: float
    seed: int
    step: int = Field(description="Adam steps taken so far")
    losses: list[float] = Field(description="Training MSE of each step in this chunk")
    test_mse: float | None = Field(description="MSE on a fixed test set (predicting 1: ≈ 0.167)")
    run: LiveRunOut = Field(description="The model's gates on the probe sequence")


# --- predictions ----------------------------------------------------------------------------------


class PredictionIn(Strict):
    """The learner's answer to the question a preset run came with (same preset and input)."""

    preset: str = Field(max_length=40)
    question_id: str = Field(max_length=200)
    answer: str = Field(max_length=40, description="One of the question's choice values")
    input: SeqInput
    text: str | None = Field(None, min_length=1, max_length=lab.MAX_T)
    seed: Seed
    T: int | None = Field(None, ge=2, le=lab.MAX_T)
    forget_bias: float | None = Field(None, ge=-10, le=10)
    truncate: int | None = Field(None, ge=1, le=lab.MAX_T)


class PromptsOut(BaseModel):
    enabled: bool = Field(description="The learner's setting: offer the prompt at all")
    asked: list[str] = Field(description="Presets it was answered or dismissed for")


class PromptIn(Strict):
    preset: str = Field(max_length=40, description="The preset whose prompt was dismissed")


class PredictionStatsOut(BaseModel):
    made: int = Field(description="Predictions this learner committed to")
    correct: int = Field(description="...of which held")


class PredictionOut(PredictionStatsOut):
    correct_answer: bool = Field(description="Whether this answer was right")
    answer: str
    truth: str = Field(description="The right choice's value")
    truth_label: str
    explanation: str
    evidence: dict = Field(description="What to highlight: view, quantity, unit, steps (0-based)")
    counted: bool = Field(description="False when this question was answered before")


class PresetOut(BaseModel):
    name: str
    title: str
    cell: Cell
    peepholes: bool
    task: Literal["adding", "char", "gradients"]
    summary: str
    shows: str
    hidden: int
    default_input: str
