"""The lab's pure services: rounding, the signed training state, and the predict-then-see
questions (generated from a run, answered by its own numbers)."""

import json

import numpy as np
import pytest

from app.nn import lab as engine
from app.nn.presets import PRESETS
from app.services import lab_runs, lab_state
from app.services.lab_questions import HOLD, question_for

SECRET = "unit-test-secret-unit-test-secret"


# --- rounding ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.123456789, 0.12346),
        (-3.14159265, -3.1416),
        (123456.789, 123460.0),
        (1.23456789e-7, 1.2346e-7),
        (0.0, 0.0),
        (1.0, 1.0),
    ],
)
def test_round_sig_keeps_five_significant_digits(value, expected):
    got = float(lab_runs.round_sig(np.array([value]))[0])
    assert got == expected
    assert json.dumps(got) == json.dumps(expected)  # short JSON, no 0.12346000000000001


def test_rounded_walks_nested_results_and_refuses_nan():
    out = lab_runs.rounded({"a": [[0.1234567, 2.0]], "b": [["x", 0.987654321]], "c": "s", "d": 3})
    assert out["a"].tolist() == [[0.12346, 2.0]]  # a regular list comes back as one array
    assert {k: v for k, v in out.items() if k != "a"} == {"b": [["x", 0.98765]], "c": "s", "d": 3}
    with pytest.raises(engine.LabError, match="NaN"):
        lab_runs.rounded({"h": [[0.1, float("nan")]]})


def test_resolve_preset_names_the_field_that_disagrees():
    assert lab_runs.resolve_preset(None, "gru", None) == "adding-gru"
    assert lab_runs.resolve_preset(None, None, None) == "adding-lstm"
    with pytest.raises(engine.LabError, match=r"^peepholes: "):
        lab_runs.resolve_preset(None, "rnn", True)
    with pytest.raises(engine.LabError, match=r"^cell: "):
        lab_runs.resolve_preset("char-lstm", "gru", None)


# --- the signed training state -------------------------------------------------------------------


def trained(steps=3):
    return engine.train_chunk(engine.new_training_state(H=4, T=6, batch=8, seed=1), steps)


def test_state_round_trips_exactly():
    state = trained()
    opened = lab_state.open_state(lab_state.seal_state(state, SECRET), SECRET)
    assert opened["step"] == 3 and opened["adam"]["t"] == 3
    for name, value in state["params"].items():
        assert np.array_equal(opened["params"][name], np.array(value))  # float64, not rounded
        assert np.array_equal(opened["adam"]["v"][name], np.array(state["adam"]["v"][name]))
    # Resuming from the token gives what one longer chunk gives.
    resumed = engine.train_chunk(opened, 2)
    whole = engine.train_chunk(engine.new_training_state(H=4, T=6, batch=8, seed=1), 5)
    assert resumed["losses"] == whole["losses"][3:]


def test_state_refuses_any_change_or_another_key():
    token = lab_state.seal_state(trained(), SECRET)
    body, signature = token.rsplit(".", 1)
    for bad in (body[:-1] + ("A" if body[-1] != "A" else "B") + "." + signature, body, "", "é"):
        with pytest.raises(engine.LabError, match=r"^state: "):
            lab_state.open_state(bad, SECRET)
    with pytest.raises(engine.LabError, match="signature"):
        lab_state.open_state(token, "another-secret-another-secret-another")
    with pytest.raises(engine.LabError, match=str(lab_state.MAX_TOKEN)):
        lab_state.open_state("x" * (lab_state.MAX_TOKEN + 1), SECRET)


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (lambda s: s["adam"]["v"].__setitem__("weight_hh_l0", -np.ones((16, 4))), "adam.v"),
        (lambda s: s["adam"]["m"].__setitem__("bias_ih_l0", np.zeros(3)), "adam.m"),
        (lambda s: s["params"]["bias_hh_l0"].__setitem__(0, np.nan), "bias_hh_l0"),
        (lambda s: s.__setitem__("T", 500), "T ≤ 200"),
    ],
)
def test_a_correctly_signed_state_is_still_validated(damage, match):
    state = trained()
    state["params"] = {k: np.array(v) for k, v in state["params"].items()}
    state["adam"]["m"] = {k: np.array(v) for k, v in state["adam"]["m"].items()}
    state["adam"]["v"] = {k: np.array(v) for k, v in state["adam"]["v"].items()}
    damage(state)
    with pytest.raises(engine.LabError, match=match):
        lab_state.open_state(lab_state.seal_state(state, SECRET), SECRET)


# --- predict, then see ---------------------------------------------------------------------------


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_preset_asks_a_question_its_run_answers(preset):
    run = lab_runs.run_preset(preset)
    question = question_for(run)
    assert question is not None
    assert question.truth in dict(question.choices)
    assert len(question.text) <= 200 and question.id.startswith(preset)
    assert question_for(lab_runs.run_preset(preset)).id == question.id  # stable
    public = json.dumps(question.public())
    assert question.explanation not in public


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("preset", ["adding-lstm", "adding-peephole", "adding-gru"])
def test_gate_hold_answer_is_the_evidence(preset, seed):
    run = lab_runs.run_preset(preset, seed=seed)
    q = question_for(run)
    e = q.evidence
    values = np.array(run["gates"][e["quantity"]])[e["steps"], e["unit"]]
    assert q.truth == ("yes" if values.min() > HOLD else "no")
    assert f"unit {e['unit'] + 1}" in q.text


def test_gate_questions_vary_with_the_input():
    truths = {question_for(lab_runs.run_preset("adding-lstm", seed=s)).truth for s in range(8)}
    assert truths == {"yes", "no"}


def test_next_character_answer_is_the_top_guess():
    run = lab_runs.run_preset("char-lstm", text="the forget gate keeps the cell")
    q = question_for(run)
    t = q.evidence["steps"][0]
    right = run["top5"][t][0][0] == run["text"][t + 1]
    assert q.truth == ("yes" if right else "no")


def test_no_marker_no_question():
    rows = [[0.3, 0]] * 12
    assert question_for(lab_runs.run_preset("adding-lstm", input=rows)) is None
    assert question_for(lab_runs.run_preset("adding-rnn", input=rows)) is None


def test_truncation_question_is_true_to_the_window():
    run = lab_runs.run_preset("truncated-bptt", truncate=7)
    q = question_for(run)
    assert "k = 7" in q.text and q.truth == "yes"
