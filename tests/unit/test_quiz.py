"""The quiz builder, scoring and the mock-interview clock (pure, with fixed seeds and times)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.content import load_deck
from app.content.model import MultipleChoice
from app.nn.presets import PRESET_NAMES
from app.study import quiz
from app.study.quiz import AnswerError, AnswerType, BuildError, Kind, QuizSpec

QUIZ_DECK = Path(__file__).resolve().parents[1] / "fixtures" / "quiz_deck"
ALL = frozenset(quiz.QUIZ_KINDS)
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def deck():
    return load_deck(QUIZ_DECK, PRESET_NAMES)


def dicts(items):
    return [item.to_ref() for item in items]


def test_same_seed_builds_the_same_quiz_and_another_seed_another(deck):
    spec = QuizSpec(10, ALL)
    first = quiz.build_quiz(deck, spec, seed=42)
    assert dicts(first) == dicts(quiz.build_quiz(deck, spec, seed=42))
    others = [dicts(quiz.build_quiz(deck, spec, seed=s)) for s in range(1, 6)]
    assert any(o != dicts(first) for o in others)
    assert len(first) == 10


def test_items_survive_storage_unchanged(deck):
    items = quiz.build_quiz(deck, QuizSpec(10, ALL), seed=7)
    items += quiz.build_mock(deck, 3, seed=7)
    for item in items:
        assert quiz.resolve(item.to_ref(), deck) == item


def test_a_stored_item_is_a_reference_without_text(deck):
    for item in quiz.build_quiz(deck, QuizSpec(10, ALL), seed=7):
        ref = item.to_ref()
        assert set(ref) <= {"kind", "item", "order", "template", "seed", "card"}
        assert all(not isinstance(v, str) or len(v) < 80 for v in ref.values())


@pytest.mark.parametrize(
    ("ref", "says"),
    [
        ("<b>", "must be an object"),
        ({"kind": "nope"}, "unknown kind"),
        ({"kind": "mcq", "item": "no-such-card/0", "order": [0, 1, 2, 3]}, "no quiz item"),
        ({"kind": "mcq", "item": None}, "must name"),
        ({"kind": "computed", "template": "nope", "seed": 1}, "unknown computed template"),
        ({"kind": "mock", "card": "<script>"}, "no card"),
    ],
)
def test_a_reference_the_deck_cannot_resolve_is_refused(deck, ref, says):
    with pytest.raises(quiz.RefError, match=says):
        quiz.resolve(ref, deck)


def test_reference_fields_are_checked_against_the_deck(deck):
    mcq = next(i for i in quiz.build_quiz(deck, QuizSpec(5, frozenset({Kind.MCQ})), 1))
    bad_order = {**mcq.to_ref(), "order": [0, 0, 1, 2]}
    with pytest.raises(quiz.RefError, match="order"):
        quiz.resolve(bad_order, deck)
    with pytest.raises(quiz.RefError, match="not true_false"):
        quiz.resolve({**mcq.to_ref(), "kind": "true_false"}, deck)
    computed = next(i for i in quiz.build_quiz(deck, QuizSpec(5, frozenset({Kind.COMPUTED})), 1))
    with pytest.raises(quiz.RefError, match="seed"):
        quiz.resolve({**computed.to_ref(), "seed": -1}, deck)


def test_option_order_is_shuffled_and_the_correct_index_follows_it(deck):
    positions = set()
    for seed in range(12):
        for item in quiz.build_quiz(deck, QuizSpec(5, frozenset({Kind.MCQ})), seed):
            card = deck.get(item.card)
            source = next(q for q in card.quiz if q.id == item.source)
            assert isinstance(source, MultipleChoice)
            # The shown options are the card's, in the stored order, and `correct` points at the
            # option the card marks correct.
            assert [c.text for c in item.choices] == [source.options[i].text for i in item.order]
            assert item.choices[item.correct].text == source.options[source.correct_index].text
            assert [c.why for c in item.choices] == [source.options[i].why for i in item.order]
            positions.add(item.correct)
    assert positions == {0, 1, 2, 3}  # the right answer is not always in the same place


def test_kinds_and_topics_are_honoured(deck):
    only_tf = quiz.build_quiz(deck, QuizSpec(5, frozenset({Kind.TRUE_FALSE})), seed=3)
    assert {i.kind for i in only_tf} == {Kind.TRUE_FALSE}
    assert all(i.choices[0].text.source == "True" for i in only_tf)  # True is always first
    topics = frozenset({"gru", "rnn", "memory-cell"})
    picked = quiz.build_quiz(deck, QuizSpec(5, frozenset({Kind.MCQ, Kind.TRUE_FALSE}), topics), 3)
    assert {i.card for i in picked} == {
        "gru-update",
        "vanishing-gradient",
        "memory-cell-computation",
    }
    with_computed = quiz.build_quiz(deck, QuizSpec(5, ALL, topics), seed=3)
    computed_cards = {i.card for i in with_computed if i.kind == Kind.COMPUTED}
    assert computed_cards
    assert computed_cards <= {"gru-update", "vanishing-gradient", "memory-cell-computation"}
    # GRU and RNN cards carry 4 items of their own: 5 cannot be met from the cards alone...
    gru_rnn = frozenset({"gru", "rnn"})
    with pytest.raises(BuildError, match="only 4 items"):
        quiz.build_quiz(deck, QuizSpec(5, frozenset({Kind.MCQ, Kind.TRUE_FALSE}), gru_rnn), 3)
    # ...but computed templates belong to them (a GRU step, gradients), and they fill the gap.
    filled = quiz.build_quiz(deck, QuizSpec(5, ALL, gru_rnn), seed=3)
    assert len(filled) == 5
    assert {i.template for i in filled if i.kind == Kind.COMPUTED} <= {
        "gru-step",
        "cell-path",
        "rnn-bound",
    }


def test_a_quiz_spreads_over_cards_before_repeating_one(deck):
    items = quiz.build_quiz(deck, QuizSpec(5, frozenset({Kind.MCQ, Kind.TRUE_FALSE})), seed=11)
    cards = [i.card for i in items]
    assert len(set(cards)) == 4  # four cards, so a fifth item repeats exactly one


def test_computed_items_share_the_quiz_and_fill_it_when_cards_run_short(deck):
    mixed = quiz.build_quiz(deck, QuizSpec(10, ALL), seed=5)
    computed = [i for i in mixed if i.kind == Kind.COMPUTED]
    assert 1 <= len(computed) <= 4
    twenty = quiz.build_quiz(deck, QuizSpec(20, ALL), seed=5)  # only 10 card items exist
    assert sum(i.kind == Kind.COMPUTED for i in twenty) == 10
    only = quiz.build_quiz(deck, QuizSpec(5, frozenset({Kind.COMPUTED})), seed=5)
    assert len({i.template for i in only}) == 5  # a short quiz spreads over the templates
    assert len({i.seed for i in only}) == 5
    # A computed item links to the card its template belongs to in this deck, if it has one.
    for item in only:
        card = quiz.card_for(quiz.TEMPLATES[item.template], deck)
        assert item.card == (card.slug if card else None)
    assert {i.card for i in only} - {None} <= {c.slug for c in deck}


@pytest.mark.parametrize(
    ("spec", "field", "words"),
    [
        (QuizSpec(7, ALL), "size", "one of 5, 10, 20"),
        (QuizSpec(5, frozenset()), "kinds", "at least one"),
        (QuizSpec(5, ALL, frozenset({"nope"})), "topics", "unknown topic 'nope'"),
        (QuizSpec(20, frozenset({Kind.MCQ})), "size", "only 5 items match"),
    ],
)
def test_requests_that_cannot_be_met_name_the_field(deck, spec, field, words):
    with pytest.raises(BuildError) as caught:
        quiz.build_quiz(deck, spec, seed=1)
    assert caught.value.field == field
    assert words in caught.value.message


def test_answers_are_parsed_in_the_items_form_and_checked(deck):
    items = quiz.build_quiz(deck, QuizSpec(20, ALL), seed=2)
    mcq = next(i for i in items if i.kind == Kind.MCQ)
    tf = next(i for i in items if i.kind == Kind.TRUE_FALSE)
    num = next(i for i in items if i.answer_type == AnswerType.NUMBER)
    assert quiz.is_correct(mcq, quiz.parse_answer(mcq, mcq.correct)) is True
    assert quiz.is_correct(mcq, quiz.parse_answer(mcq, (mcq.correct + 1) % 4)) is False
    assert quiz.is_correct(tf, quiz.parse_answer(tf, tf.correct)) is True
    assert quiz.is_correct(tf, quiz.parse_answer(tf, not tf.correct)) is False
    for bad, item in [(4, mcq), (True, mcq), ("1", mcq), (1, tf), ("x", num), (float("nan"), num)]:
        with pytest.raises(AnswerError):
            quiz.parse_answer(item, bad)


def test_numbers_count_within_the_stated_tolerance(deck):
    num = next(
        i
        for i in quiz.build_quiz(deck, QuizSpec(5, frozenset({Kind.COMPUTED})), seed=9)
        if i.answer_type == AnswerType.NUMBER
    )
    assert num.tolerance == 0.01
    assert "±0.01" in num.prompt.source
    right = float(num.correct)
    assert quiz.is_correct(num, right + 0.01) is True  # at the edge: accepted
    assert quiz.is_correct(num, right - 0.0099) is True
    assert quiz.is_correct(num, right + 0.0101) is False
    assert quiz.is_correct(num, right - 0.02) is False


def test_scores_count_outcomes_apart():
    outcomes = [
        quiz.outcome(True, True, False, 1),
        quiz.outcome(True, False, False, 2),
        quiz.outcome(True, False, True, None),
        quiz.outcome(True, False, False, None),
        quiz.outcome(False, None, False, None),
    ]
    assert [o.status for o in outcomes] == ["correct", "wrong", "timed_out", "skipped", "open"]
    assert [o.is_mistake for o in outcomes] == [False, True, True, False, False]
    s = quiz.score(outcomes[:4])
    assert (s.correct, s.wrong, s.timed_out, s.skipped, s.total) == (1, 1, 1, 1, 4)
    assert s.ratio == 0.25


def test_mock_questions_come_from_the_chosen_cards_in_order(deck):
    items = quiz.build_mock(deck, 0, seed=1, cards=("gru-update", "forget-gate"))
    assert [i.card for i in items] == ["gru-update", "forget-gate"]
    assert items[0].answer_type == AnswerType.TEXT
    assert items[1].key_points == deck.get("forget-gate").key_points
    assert items[1].model_answer == deck.get("forget-gate").short_answer
    picked = quiz.build_mock(deck, 3, seed=4)
    assert len({i.card for i in picked}) == 3
    assert dicts(picked) == dicts(quiz.build_mock(deck, 3, seed=4))
    with pytest.raises(BuildError, match="no card is called 'x'"):
        quiz.build_mock(deck, 0, seed=1, cards=("x",))
    with pytest.raises(BuildError, match="only 4 questions"):
        quiz.build_mock(deck, 5, seed=1)


def test_self_score_is_the_share_of_key_points_ticked(deck):
    item = quiz.build_mock(deck, 0, seed=1, cards=("memory-cell-computation",))[0]
    assert quiz.self_score(item, [0, 2, 2]) == 0.5  # 2 of 4 (a repeated tick counts once)
    with pytest.raises(AnswerError, match="key point 4 does not exist"):
        quiz.self_score(item, [4])
    assert quiz.mock_score([1.0, 0.5, None]) == 0.5


def test_mock_clock_starts_each_question_when_the_last_one_closes():
    minute = timedelta(minutes=1)
    # Question 0 answered after 30 s; question 1 left alone; question 2 not reached.
    closed = [T0 + 30 * minute / 60, None, None]
    windows = quiz.mock_windows(T0, 60, closed)
    assert windows[0] == quiz.Window(T0, T0 + minute)
    assert windows[1].start == T0 + timedelta(seconds=30)
    assert windows[2].start == windows[1].deadline == T0 + timedelta(seconds=90)
    assert quiz.mock_clock(windows, closed, T0 + timedelta(seconds=40)) == ([], 1)
    # Past question 1's deadline it times out and question 2's clock is already running.
    assert quiz.mock_clock(windows, closed, T0 + timedelta(seconds=100)) == ([1], 2)
    assert quiz.mock_clock(windows, closed, T0 + timedelta(seconds=200)) == ([1, 2], None)
