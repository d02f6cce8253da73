"""The card loader: a valid deck loads; each broken file is refused, naming file and field."""

import re
import shutil
from pathlib import Path

import pytest

from app.content import ContentError, load_deck
from app.content.model import MultipleChoice, TrueFalse
from app.content.render import MathError, latex_to_mathml, render_block
from app.nn.presets import PRESET_NAMES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "deck"


@pytest.fixture
def deck_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "questions"
    shutil.copytree(FIXTURES, folder)
    return folder


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text()
    assert old in text, f"fixture {name} lacks {old!r}"
    path.write_text(text.replace(old, new, 1))


def refused(folder: Path) -> ContentError:
    with pytest.raises(ContentError) as info:
        load_deck(folder, PRESET_NAMES)
    return info.value


def test_valid_deck_loads_in_number_order_with_rendered_maths():
    deck = load_deck(FIXTURES, PRESET_NAMES)
    assert deck.slugs == ("first-card", "second-card")
    card = deck.get("first-card")
    assert card.question.source == "What does the forget gate multiply?"
    assert "<math" in card.full_answer.html and 'display="block"' in card.full_answer.html
    assert "<math" in card.key_points[0].html
    assert card.misconceptions[0].claim.source == "The forget gate deletes the hidden state."
    assert "<strong>cell</strong>" in card.misconceptions[0].correction.html
    assert card.follow_ups[0].question.source == "Why initialise its bias to one?"
    assert card.references[0].url.startswith("https://doi.org/")
    mcq, tf = card.quiz
    assert isinstance(mcq, MultipleChoice) and mcq.correct_index == 0 and len(mcq.options) == 4
    assert isinstance(tf, TrueFalse) and tf.answer is False
    assert deck.neighbours("first-card") == (None, deck.get("second-card"))
    assert deck.neighbours("second-card") == (deck.get("first-card"), None)


def test_items_carry_their_fact_and_skill(deck_dir):
    edit(
        deck_dir,
        "01-first-card.md",
        "kind: true_false",
        "kind: true_false\n    fact: no-forget-gate-1997\n    skill: apply",
    )
    mcq, tf = load_deck(deck_dir, PRESET_NAMES).get("first-card").quiz
    assert (mcq.fact, mcq.skill) == ("", "recall")  # both optional for the loader
    assert (tf.fact, tf.skill) == ("no-forget-gate-1997", "apply")


def test_cards_are_immutable():
    card = load_deck(FIXTURES, PRESET_NAMES).get("first-card")
    with pytest.raises(AttributeError):
        card.slug = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("old", "new", "field", "problem"),
    [
        ('question: "What does the forget gate multiply?"\n', "", "question", "is missing"),
        ("difficulty: easy", "difficulty: trivial", "difficulty", "easy, medium or hard"),
        ("preset: forget-bias", "preset: no-such-preset", "lab.preset", "unknown preset"),
        ("tags: [gates, lstm]", "tags: []", "tags", "at least one tag"),
        ("number: 1", "number: 3", "number", "match the file name"),
        ("slug: first-card", "slug: another", "slug", "must equal the file name"),
        ("year: 2000", "year: soon", "references[0].year", "must be int"),
        (
            'url: "https://doi.org/10.1162/089976600300015015"',
            'url: "doi:10.1162/x"',
            "references[0].url",
            "http(s) URL",
        ),
        (
            '        correct: false\n        why: "The hidden state',
            '        correct: true\n        why: "The hidden state',
            "quiz[0].options",
            "exactly one correct option, got 2",
        ),
        ("kind: true_false", "kind: essay", "quiz[1].kind", "'mcq' or 'true_false'"),
        ("kind: true_false", "kind: true_false\n    skill: expert", "quiz[1].skill", "'apply'"),
        ("kind: true_false", "kind: true_false\n    fact: Two Words", "quiz[1].fact", "lower-case"),
        (
            "$$c_t = f_t \\odot c_{t-1} + i_t \\odot g_t$$",
            "$$c_t = \\left( f_t$$",
            "section 'Full answer'",
            "does not convert",
        ),
        # In a double-quoted YAML string a LaTeX backslash is written twice.
        ("$f_t$ near 1", "$\\\\nosuchcommand f$ near 1", "lab.look_for", "\\nosuchcommand"),
        ("## Key points", "## Main points", "section 'Key points'", "is missing"),
        ("- It acts per unit.", "It acts per unit.", "section 'Key points'", "'- ' list item"),
        ("---\n\n## Short answer", "\n\n## Short answer", "front matter", "no closing"),
        ("tags: [gates, lstm]", "tags: [gates, lstm", "front matter", "not valid YAML"),
    ],
)
def test_broken_file_is_refused_naming_file_field_and_problem(deck_dir, old, new, field, problem):
    edit(deck_dir, "01-first-card.md", old, new)
    error = refused(deck_dir)
    assert error.path == "questions/01-first-card.md"
    assert error.field == field
    assert problem in error.problem
    assert str(error).startswith(f"questions/01-first-card.md: {field}: ")


def test_duplicate_number_is_refused(deck_dir):
    (deck_dir / "01-copy.md").write_text(
        (deck_dir / "02-second-card.md")
        .read_text()
        .replace("number: 2", "number: 1")
        .replace("slug: second-card", "slug: copy")
    )
    error = refused(deck_dir)
    assert error.field == "number" and "also used by" in error.problem


def test_duplicate_slug_is_refused(deck_dir):
    text = (deck_dir / "01-first-card.md").read_text().replace("number: 1", "number: 3")
    (deck_dir / "03-first-card.md").write_text(text)
    error = refused(deck_dir)
    assert error.field == "slug" and "also used by questions/01-first-card.md" in str(error)


def test_bad_file_name_is_refused(deck_dir):
    shutil.move(deck_dir / "02-second-card.md", deck_dir / "second.md")
    assert refused(deck_dir).field == "file name"


def test_missing_folder_is_refused(tmp_path):
    assert refused(tmp_path / "nowhere").field == "folder"


def test_raw_html_is_escaped_not_rendered():
    html = render_block("<script>alert(1)</script> and *emphasis*")
    assert "<script>" not in html and "&lt;script&gt;" in html and "<em>emphasis</em>" in html


def test_latex_errors_are_math_errors():
    assert latex_to_mathml(r"\sigma(x)").startswith("<math")
    with pytest.raises(MathError):
        latex_to_mathml(r"x_{")
    with pytest.raises(MathError, match=re.escape("\\unknowncmd")):
        latex_to_mathml(r"\unknowncmd x")
