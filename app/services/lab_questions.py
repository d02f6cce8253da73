"""Predict, then see: one question per preset run, generated from that run's own numbers.

Pure: a question is a function of the run (so the server can regenerate it to check an answer
without trusting the browser). The answer is never sent before the learner commits. Steps and
units are shown 1-based (step 1 reads x_1; h_0 = c_0 = 0), as in the lab's heatmaps.
"""

from dataclasses import dataclass, field

import numpy as np

from app.services.lab_runs import shown

HOLD = 0.9  # "stays above 0.9": a gate that keeps at least 90 % of the state each step
WINDOW = 10  # steps after the first marker
STEPS_BACK = 40
SURVIVES = 0.01
YES_NO = (("yes", "Yes"), ("no", "No"))


@dataclass(frozen=True)
class Question:
    id: str  # stable for the same run: the server regenerates it to check an answer
    text: str
    choices: tuple[tuple[str, str], ...]  # (value, label)
    truth: str  # the value of the right choice
    explanation: str
    # What to highlight: {"view": "gates" | "gradients" | "top5", ...} with 0-based indices.
    evidence: dict = field(default_factory=dict)

    def public(self) -> dict:
        """What the browser may see before the learner answers."""
        return {
            "id": self.id,
            "text": self.text,
            "choices": [{"value": v, "label": label} for v, label in self.choices],
        }

    def label(self, value: str) -> str:
        return dict(self.choices)[value]


def question_for(run: dict) -> Question | None:
    """The question for a preset run (None when the input gives nothing to ask, e.g. no marker)."""
    preset = run.get("preset")
    if preset in ("adding-lstm", "adding-peephole"):
        return _gate_hold(run, "f", "i")
    if preset == "adding-gru":
        return _gate_hold(run, "z", "z")
    if preset == "adding-rnn":
        return _rnn_target(run)
    if preset in ("char-lstm", "char-lstm-small"):
        return _next_char(run)
    if preset == "vanishing-gradients":
        return _largest_gradient(run)
    if preset == "forget-bias":
        return _bias_survives(run)
    if preset == "truncated-bptt":
        return _truncated_zero(run)
    return None


def _markers(run: dict) -> list[int]:
    return [t for t, row in enumerate(run["input"]) if row[1] == 1.0]


def _gate_hold(run: dict, keep: str, write: str) -> Question | None:
    """Adding problem: does a unit keep what it took in at the first marker?

    Two variants, picked by the input so answers vary: the unit whose write gate (LSTM i, GRU
    1 - z) opens most at the marker, or the unit whose state jumps most there (not always one
    that keeps it).
    """
    marks = _markers(run)
    T = run["T"]
    if not marks or marks[0] + 1 >= T:
        return None
    t1 = marks[0]
    window = list(range(t1 + 1, min(T, t1 + 1 + WINDOW)))
    gate = np.array(run["gates"][keep])  # (T, H)
    state = np.array(run["c"] if "c" in run else run["h"])
    writer = np.array(run["gates"][write])
    if write == keep:  # GRU: z falls where the unit writes
        jump = np.median(writer, axis=0) - writer[t1]
    else:
        jump = writer[t1] - np.median(writer, axis=0)
    before = state[t1 - 1] if t1 > 0 else np.zeros(run["H"])
    by_state = (sum(marks) + T) % 2 == 1
    k = int(np.argmax(np.abs(state[t1] - before) if by_state else jump))
    values = gate[window, k]
    holds = bool(values.min() > HOLD)
    name = "forget gate f" if keep == "f" else "update gate z"
    sym = "c" if "c" in run else "h"
    if by_state:
        lead = f"The {sym} of unit {k + 1} changes most at the first marker (step {t1 + 1})."
    elif keep == "f":
        lead = f"The input gate of unit {k + 1} opens at the first marker (step {t1 + 1})."
    else:
        lead = f"The update gate z of unit {k + 1} dips at the first marker (step {t1 + 1})."
    text = f"{lead} Will its {name} stay above {HOLD} for the {len(window)} steps after it?"
    lo, at = float(values.min()), window[int(values.argmin())]
    if holds:
        why = (
            f"Its {name} stayed between {shown(lo)} and {shown(float(values.max()))}, so each step "
            f"kept over {HOLD:.0%} of {sym}: the value written at step {t1 + 1} is carried on."
        )
    else:
        why = (
            f"Its {name} fell to {shown(lo)} at step {at + 1}, so this unit lets what it took in "
            f"decay: changing at the marker is not the same as remembering it."
        )
    return Question(
        id=f"{run['preset']}:hold:{keep}:u{k}:t{t1}:n{len(window)}",
        text=text,
        choices=YES_NO,
        truth="yes" if holds else "no",
        explanation=why,
        evidence={"view": "gates", "quantity": keep, "unit": k, "steps": window},
    )


def _rnn_target(run: dict) -> Question | None:
    target, prediction = run.get("target"), run.get("prediction")
    if target is None or prediction is None:
        return None
    close = abs(prediction - target) < 0.1
    text = (
        f"The two marked values add up to {shown(target)}. Will the plain RNN's prediction at the "
        f"last step land within 0.1 of it?"
    )
    why = f"It predicted {shown(prediction)}, off by {shown(abs(prediction - target))}. " + (
        "This time it came close."
        if close
        else "With the same training budget as the LSTM it has not learnt to carry the "
        "first value across the gap."
    )
    return Question(
        id=f"adding-rnn:target:T{run['T']}:{target:.4f}",
        text=text,
        choices=YES_NO,
        truth="yes" if close else "no",
        explanation=why,
        evidence={"view": "gates", "quantity": "h", "unit": None, "steps": [run["T"] - 1]},
    )


def _next_char(run: dict) -> Question | None:
    """Mid-word the next character is easy to guess; just after a space it is not."""
    text = run["text"]
    steps = len(text) - 1
    after_space = [t for t in range(steps) if text[t] == " " and text[t + 1].isalpha()]
    mid_word = [
        t
        for t in range(1, steps)
        if text[t - 1].isalpha() and text[t].isalpha() and text[t + 1].isalpha()
    ]
    pick = after_space if (len(text) % 2 == 0 and after_space) or not mid_word else mid_word
    if not pick:
        return None
    t = pick[len(pick) // 2]
    actual = text[t + 1]
    top = run["top5"][t]
    right = top[0][0] == actual
    context = text[max(0, t - 24) : t + 1]
    shown = ("…" if t >= 25 else "") + context
    q = (
        f"After reading “{shown}”, will the model's top guess for the next character be "
        f"“{actual}”, the one that actually follows?"
    )
    guesses = ", ".join(f"“{c}” {p:.0%}" for c, p in top)
    why = f"Its top five at step {t + 1}: {guesses}. " + (
        "Inside a word the next character is nearly determined by the letters so far."
        if right
        else "Where a new word starts, many characters are plausible, so the guess spreads out."
    )
    return Question(
        id=f"{run['preset']}:next:{t}:{ord(actual)}",
        text=q,
        choices=YES_NO,
        truth="yes" if right else "no",
        explanation=why,
        evidence={"view": "top5", "steps": [t]},
    )


def _norm_at(series: dict, back: int) -> float:
    return float(series["norms"][series["T"] - 1 - back])


def _largest_gradient(run: dict) -> Question | None:
    series = run["gradient_norms"]
    back = min(STEPS_BACK, run["T"] - 1)
    norms = [_norm_at(s, back) for s in series]
    best = int(np.argmax(norms))
    choices = tuple((str(k), s["label"]) for k, s in enumerate(series))
    listed = "; ".join(f"{s['label']}: {n:.1e}" for s, n in zip(series, norms, strict=True))
    return Question(
        id=f"vanishing-gradients:largest:{back}:{len(series)}",
        text=(
            f"A unit gradient starts at the last step. {back} steps back, which network keeps "
            "the largest ‖∂L/∂h‖?"
        ),
        choices=choices,
        truth=str(best),
        explanation=(
            f"{back} steps back: {listed}. Open forget gates give the gradient a path that is "
            "multiplied by f ≈ 1 each step, not by a squashed Jacobian."
        ),
        evidence={"view": "gradients", "steps_back": back, "series": best},
    )


def _bias_survives(run: dict) -> Question | None:
    series = run["gradient_norms"]
    fb = run.get("forget_bias")
    chosen = next((s for s in series if s["forget_bias"] == fb), series[-1])
    fb = chosen["forget_bias"]
    back = min(STEPS_BACK, run["T"] - 1)
    value = _norm_at(chosen, back)
    survives = value > SURVIVES
    return Question(
        id=f"forget-bias:survives:{fb:g}:{back}",
        text=(
            f"With the forget-gate bias at {fb:g}, will more than {SURVIVES:.0%} of a unit "
            f"gradient survive {back} steps back?"
        ),
        choices=YES_NO,
        truth="yes" if survives else "no",
        explanation=(
            f"‖∂L/∂h‖ {back} steps back is {value:.1e}. The forget gates start near σ({fb:g}) = "
            f"{1 / (1 + np.exp(-fb)):.2f}, and the gradient along c is multiplied by f each step."
        ),
        evidence={"view": "gradients", "steps_back": back, "series": series.index(chosen)},
    )


def _truncated_zero(run: dict) -> Question | None:
    series = run["gradient_norms"]
    cut = next((s for s in series if s.get("truncate")), None)
    if cut is None:
        return None
    k = cut["truncate"]
    if k >= run["T"]:
        return None
    value = _norm_at(cut, k)
    zero = value == 0.0
    return Question(
        id=f"truncated-bptt:zero:{k}",
        text=(
            f"With BPTT truncated to k = {k} steps, will ‖∂L/∂h‖ be exactly zero {k} steps "
            "back from the loss?"
        ),
        choices=YES_NO,
        truth="yes" if zero else "no",
        explanation=(
            f"It is {value:g} there. A window of k = {k} steps holds the last step and the "
            f"{k - 1} before it, so the gradient stops {k} steps back; the full curve shows "
            f"what that cut throws away."
        ),
        evidence={"view": "gradients", "steps_back": k, "series": series.index(cut)},
    )
