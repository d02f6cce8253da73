"""The lab tours (questions/lab/NN-slug.yaml): the loader checks each step's form and names the
file and field; the content check checks them against the card's preset; the real deck passes."""

import dataclasses
import shutil
from pathlib import Path

import pytest

from app.content import ContentError, load_deck
from app.content.check import main as check
from app.content.check import tour_problem
from app.nn.presets import PRESET_NAMES

QUESTIONS = Path(__file__).resolve().parents[2] / "questions"


@pytest.fixture
def deck_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "questions"
    shutil.copytree(QUESTIONS, folder)
    return folder


def write_tour(folder: Path, text: str, name: str = "01-what-are-lstms") -> None:
    (folder / "lab" / f"{name}.yaml").write_text(text, encoding="utf-8")


def test_every_card_of_the_deck_has_a_valid_tour(capsys):
    deck = load_deck(QUESTIONS, PRESET_NAMES)
    for card in deck:
        assert 2 <= len(card.tour) <= 5, card.path  # 3 to 6 with "what to look for"
        assert tour_problem(card) is None
    assert check([str(QUESTIONS)]) == 0


@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        ("steps: []\n", "steps", "2 to 5"),
        ("steps:\n- text: a\n", "steps", "2 to 5"),
        ("steps:\n- text: a\n- colour: red\n  text: b\n", "steps[1]", "unknown field 'colour'"),
        ("steps:\n- text: a\n- {}\n", "steps[1].text", "is missing"),
        ("steps:\n- text: a\n- text: b\n  tab: settings\n", "steps[1].tab", "gates"),
        ("steps:\n- text: a\n- text: b\n  gate: q\n", "steps[1].gate", "i, f, g"),
        ("steps:\n- text: a\n- text: b\n  unit: 0\n", "steps[1].unit", "1 to 128"),
        ("steps:\n- text: a\n- text: b\n  step: 501\n", "steps[1].step", "1 to 500"),
        ("steps:\n- text: a\n- text: b\n  hold: f-4\n", "steps[1].hold", "f.4.12.50.0"),
        ("steps:\n- text: a\n- text: '" + "x" * 401 + "'\n", "steps[1].text", "at most 400"),
        ("steps: [\n", "file", "YAML"),
    ],
)
def test_a_broken_tour_is_refused_naming_file_and_field(deck_dir, text, field, problem):
    write_tour(deck_dir, text)
    with pytest.raises(ContentError) as caught:
        load_deck(deck_dir, PRESET_NAMES)
    message = str(caught.value)
    assert "questions/lab/01-what-are-lstms.yaml" in message
    assert field in message and problem in message


def test_a_tour_without_its_card_is_refused(deck_dir):
    write_tour(deck_dir, "steps:\n- text: a\n- text: b\n", name="99-nothing")
    with pytest.raises(ContentError, match="has no card file beside it"):
        load_deck(deck_dir, PRESET_NAMES)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"gate": "z"}, "has no z"),  # adding-lstm is an LSTM
        ({"unit": 17}, "only 16 units"),
        ({"tab": "sample"}, "no use for the sample view"),
        ({"hold": "r.1.1.2.0.5"}, "cannot be held"),
        ({"feature": "is-vowel"}, "after-first-marker"),
    ],
)
def test_the_check_refuses_what_the_preset_cannot_show(change, problem, capsys, deck_dir):
    card = load_deck(QUESTIONS, PRESET_NAMES).cards[0]
    step = dataclasses.replace(card.tour[0], **change)
    bad = dataclasses.replace(card, tour=(step, *card.tour[1:]))
    assert problem in tour_problem(bad)
    (deck_dir / "lab" / "01-what-are-lstms.yaml").unlink()
    assert check([str(deck_dir)]) == 1
    assert "has no file for it" in capsys.readouterr().err
