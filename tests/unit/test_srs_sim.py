"""The scheduling simulation (bench/srs_sim.py) is a pure function of its seed, and its interview
learner reaches the plan's target. Short runs: the full table is the benchmark's job."""

import importlib.util
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[2] / "bench" / "srs_sim.py"


@pytest.fixture(scope="module")
def sim():
    spec = importlib.util.spec_from_file_location("srs_sim", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def deck(sim):
    return sim.deck_cards()


@pytest.mark.parametrize("policy", ["FSRS, retention 0.90", "SM-2-like"])
def test_a_run_is_the_same_for_the_same_seed(sim, deck, policy):
    first = sim.run(policy, 3, 20, deck)
    assert sim.run(policy, 3, 20, deck) == first
    assert sim.run(policy, 4, 20, deck) != first  # and the seed matters
    assert first.reviews >= len(deck) and 0 < first.retention <= 1


def test_the_interview_learner_reaches_the_plans_target(sim, deck):
    first = sim.run_interview(0, 7, deck, aware=True)
    assert sim.run_interview(0, 7, deck, aware=True) == first
    assert first.promised == len(deck)  # the plan on day 0 says every card gets there
    assert first.predicted_share == 1.0  # and following the app, every card does
    assert first.on_plan_days == 7
