"""The recall detector: normalising answers, cues, negation, contradictions, typos, evidence."""

import shutil
from pathlib import Path

import pytest

from app.content import ContentError, load_deck
from app.content.check import check_deck
from app.content.check import main as check_content
from app.content.cues import PointCues, parse_cue, stem, tokenize
from app.nn.presets import PRESET_NAMES
from app.study.recall import MAX_ANSWER_CHARS, check, suggest_rating
from app.study.scheduling import Rating
from tests.conftest import FIXTURE_DECK, REAL_DECK


def fail(field: str, problem: str) -> ContentError:
    return ContentError("test", field, problem)


def point(*cues, against=()) -> PointCues:
    return PointCues(
        tuple(parse_cue(list(c), "cues", fail) for c in cues),
        tuple(parse_cue(list(c), "against", fail) for c in against),
    )


def words(text: str) -> list[str]:
    return [t.word for t in tokenize(text)]


@pytest.mark.parametrize(
    "forms",
    [
        ["σ", "\\sigma", "sigma", "sigmoid", "sigmoids", "logistic"],
        ["c_{t-1}", "c(t-1)", "c_t−1", "c_{t - 1}", "$c_{t-1}$"],
        ["gate", "gates", "gated", "gating"],
        ["multiply", "multiplies", "multiplied", "multiplying"],
        ["initialise", "initialize", "initialised"],
    ],
)
def test_forms_of_one_thing_normalise_to_one_word(forms):
    assert len({tuple(words(f)) for f in forms}) == 1, [words(f) for f in forms]


def test_contractions_become_a_negation_and_stopwords_go():
    assert words("It doesn't reset the state") == ["doe", "not", "reset", "stat"]
    assert words("it cant") == ["can", "not"]
    assert words("i_t and f_t") == ["it", "and", "ft"]  # a gate's symbol is not the pronoun


def test_stemmer_is_stable_on_short_words_and_numbers():
    assert stem("add") == "add" and stem("2000") == "2000" and stem("summed") == "sum"


FORGET = point(["sigmoid", "multipl*|scal*", "cprev|previous cell"])


def test_all_terms_in_one_sentence_cover_the_point_with_the_learners_words():
    result = check([FORGET], "The forget gate is a σ that multiplies c_{t-1} element-wise.")
    assert result.points[0].covered
    assert result.points[0].evidence == "σ that multiplies c_{t-1}"


def test_terms_split_over_two_sentences_do_not_count():
    assert not check([FORGET], "It is a sigmoid. It multiplies c_{t-1}.").points[0].covered


def test_a_negated_term_does_not_count():
    answer = "It is a sigmoid but it does not multiply the previous cell state."
    assert not check([FORGET], answer).points[0].covered


def test_negation_stops_at_the_clause():
    answer = "It is not a tanh, it is a sigmoid that scales the previous cell state."
    assert check([FORGET], answer).points[0].covered


def test_a_contradiction_anywhere_vetoes_the_point():
    keeps = point(["z 1 keep*"], against=[["z 0 keep*|z 1 tak* new"]])
    assert check([keeps], "With z = 1 it keeps the old state.").points[0].covered
    wrong = "z = 1 keeps the old state. Wait, no: z = 0 keeps it."
    assert not check([keeps], wrong).points[0].covered


def test_one_typo_in_a_long_word_is_forgiven_digits_never():
    cue = point(["backpropagation", "gradient"])
    assert check([cue], "Backpropogation of the gradeint").points[0].covered
    year = point(["2000"])
    assert not check([year], "It came in 2001.").points[0].covered


def test_prefix_words_match_any_ending():
    cue = point(["sequence*", "paralleli*"])
    assert check([cue], "Sequences cannot be parallelized over time... or can they?").points[0]


def test_phrases_allow_one_word_between_neighbours_not_two():
    cue = point(["cell state"])
    assert check([cue], "the cell's whole state").points[0].covered
    assert not check([cue], "the cell has a hidden state").points[0].covered


def test_long_evidence_is_cut_and_long_answers_are_read_up_to_the_limit():
    cue = point(["sigmoid", "cprev"])
    answer = "sigmoid " + "very " * 60 + "c_{t-1}"
    evidence = check([cue], answer).points[0].evidence
    assert evidence.endswith("…") and len(evidence) <= 160
    late = "x " * MAX_ANSWER_CHARS + "sigmoid c_{t-1}"
    assert not check([cue], late).points[0].covered


@pytest.mark.parametrize(
    ("covered", "total", "ms", "rating"),
    [
        (0, 5, 1000, Rating.AGAIN),
        (1, 5, 1000, Rating.HARD),
        (2, 4, 1000, Rating.HARD),
        (3, 5, 1000, Rating.GOOD),
        (5, 5, None, Rating.GOOD),
        (5, 5, 200_000, Rating.GOOD),
        (5, 5, 60_000, Rating.EASY),
        (0, 0, None, Rating.AGAIN),
    ],
)
def test_suggested_rating_follows_coverage_and_speed(covered, total, ms, rating):
    assert suggest_rating(covered, total, ms) is rating


# --- cue files -----------------------------------------------------------------------------------


@pytest.fixture
def deck_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "questions"
    shutil.copytree(FIXTURE_DECK, folder)
    return folder


def cue_file(folder: Path) -> Path:
    return folder / "recall" / "01-first-card.yaml"


def test_fixture_cues_load_beside_their_card():
    card = load_deck(FIXTURE_DECK, PRESET_NAMES).get("first-card")
    assert len(card.cues) == len(card.key_points) == 3
    assert card.cues[2].against


@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        ("key_points: []\n", "key_points", "has 0 entries, the card has 3"),
        ("nothing: here\n", "key_points", "is missing"),
        ("key_points: [\n", "file", "not valid YAML"),
        ("key_points: [{cues: []}, {cues: [a]}, {cues: [b]}]\n", "key_points[0].cues", "at least"),
        ("key_points: [{cues: [a], why: x}, {cues: [a]}, {cues: [b]}]\n", "key_points[0]", "why"),
        ("key_points: [{cues: [['the']]}, {cues: [a]}, {cues: [b]}]\n", "cues[0][0]", "no word"),
        ("key_points: [{cues: [['x*']]}, {cues: [a]}, {cues: [b]}]\n", "cues[0][0]", "two"),
        ("key_points: [{cues: [[a]], against: b}, {cues: [a]}, {cues: [b]}]\n", "against", "list"),
    ],
)
def test_a_broken_cue_file_is_refused_naming_file_field_and_problem(deck_dir, text, field, problem):
    cue_file(deck_dir).write_text(text)
    with pytest.raises(ContentError) as info:
        load_deck(deck_dir, PRESET_NAMES)
    assert "recall/01-first-card.yaml" in str(info.value)
    assert field in info.value.field and problem in info.value.problem, str(info.value)


def test_a_cue_file_without_its_card_is_refused(deck_dir):
    shutil.copy(cue_file(deck_dir), deck_dir / "recall" / "07-gone.yaml")
    with pytest.raises(ContentError, match="no card file beside it"):
        load_deck(deck_dir, PRESET_NAMES)


def test_the_content_check_requires_cues_for_every_card(deck_dir, capsys):
    # This fixture deck is not built for the quiz rules (tests/unit/test_content_check.py covers
    # those), so look at the cue rule among the check's problems.
    def cue_problems() -> list[str]:
        deck = load_deck(deck_dir, PRESET_NAMES)
        return [
            p for p in check_deck(deck, ("gates", "gru", "lstm")).problems if "recall cues" in p
        ]

    assert cue_problems() == []
    cue_file(deck_dir).unlink()
    assert cue_problems() == [
        "questions/01-first-card.md: recall cues: questions/recall/ has no file for it"
    ]
    (deck_dir / "README.md").write_text("## Tags\n\n- `gates`: g\n- `gru`: g\n- `lstm`: l\n")
    assert check_content([str(deck_dir)]) == 1
    assert "01-first-card.md: recall cues" in capsys.readouterr().err


def test_every_card_of_the_real_deck_has_cues_that_hear_its_own_answer():
    deck = load_deck(REAL_DECK, PRESET_NAMES)
    heard = total = 0
    for card in deck:
        assert len(card.cues) == len(card.key_points), card.slug
        result = check(card.cues, f"{card.short_answer.source}\n{card.full_answer.source}")
        heard += result.covered
        total += len(result.points)
    # The model answers need not state every key point in so many words, but most of them.
    assert heard / total >= 0.8
