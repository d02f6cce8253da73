"""Timed quizzes and mock interviews as pure functions: build an attempt from the deck with a
seed, check and score answers, and lay out a mock interview's per-question clock.

An attempt stores references into the deck (`Item.to_ref`: the card item's id and shown option
order, a computed item's template and seed) and `resolve` rebuilds each item from the deck on
read, so a reload shows the same quiz, a row stays small, and no stored or imported text is ever
rendered. Nothing here touches the database or the web; times are explicit.
"""

import functools
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from app.content.model import Card, Deck, MultipleChoice, QuizItem, Text, TrueFalse
from app.content.render import render_block, render_inline
from app.study.computed_items import TEMPLATES, Template, breakable


class Kind(StrEnum):
    MCQ = "mcq"
    TRUE_FALSE = "true_false"
    COMPUTED = "computed"
    MOCK = "mock"  # a mock-interview question: free text, then a self-ticked checklist


class AttemptKind(StrEnum):
    """What an attempt is; stored as these values in `quiz_attempt.kind`."""

    QUIZ = "quiz"  # a timed quiz of multiple-choice, true/false and computed items
    MOCK = "mock"  # a mock interview: free-text answers, then the key points ticked


class Mode(StrEnum):
    """When a quiz shows its feedback; stored in `quiz_attempt.mode` (a mock is always exam)."""

    EXAM = "exam"  # at the end
    PRACTICE = "practice"  # after each item


class AttemptStatus(StrEnum):
    """Where an attempt stands; derived from its rows, never stored."""

    IN_PROGRESS = "in_progress"
    REVIEW = "review"  # a mock interview with every question closed: ticking key points
    FINISHED = "finished"


class OutcomeStatus(StrEnum):
    """How one item ended."""

    CORRECT = "correct"
    WRONG = "wrong"
    TIMED_OUT = "timed_out"
    SKIPPED = "skipped"  # left open when the learner finished early
    ANSWERED = "answered"  # answered, correctness not (yet) shown or not applicable
    OPEN = "open"


class AnswerType(StrEnum):
    CHOICE = "choice"  # the index of an option, in the order shown
    BOOLEAN = "boolean"  # true / false
    NUMBER = "number"  # within the item's tolerance
    TEXT = "text"  # free text (mock interviews)


QUIZ_KINDS = (Kind.MCQ, Kind.TRUE_FALSE, Kind.COMPUTED)
QUIZ_SIZES = (5, 10, 20)
DEFAULT_ITEM_SECONDS = 60
MIN_ITEM_SECONDS, MAX_ITEM_SECONDS = 5, 600
COMPUTED_PRACTICE_SECONDS = 180  # per item in "Practice: computed": time to work it out
MOCK_SIZES = range(1, 21)
DEFAULT_MOCK_SECONDS = 120
MIN_MOCK_SECONDS, MAX_MOCK_SECONDS = 30, 900
MAX_TEXT = 10_000  # characters in a mock-interview answer
MAX_NUMBER = 1e9
SEED_LIMIT = 2**31  # seeds fit a 32-bit signed column on every database
MAX_REDRAWS = 50  # seeds tried for a computed item that differs from those already picked
MISTAKE_SELF_SCORE = 0.5  # a mock answer covering less than half the key points is a mistake


class BuildError(ValueError):
    """The request cannot make a quiz; `field` names the input to change."""

    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


class AnswerError(ValueError):
    """An answer of the wrong form for its item (a word for a number, option 7 of 4...)."""


@dataclass(frozen=True, slots=True)
class Choice:
    text: Text
    why: Text | None = None  # why this option is right or wrong


@dataclass(frozen=True, slots=True)
class Item:
    """One stored quiz item or interview question, exactly as shown and as checked."""

    kind: Kind
    answer_type: AnswerType
    source: str  # "<slug>/<n>" for a card's item, "computed/<template>", "mock/<slug>"
    card: str | None  # the card a mistake sends back to review, and that results link to
    prompt: Text
    choices: tuple[Choice, ...] = ()  # in the order shown
    order: tuple[int, ...] = ()  # multiple choice: the card's option indices in shown order
    correct: int | bool | float | None = None
    tolerance: float | None = None  # numbers: accepted within ± this
    explanation: Text | None = None
    template: str | None = None  # computed items
    seed: int | None = None  # computed items: regenerates exactly this item
    model_answer: Text | None = None  # mock
    key_points: tuple[Text, ...] = ()  # mock

    def to_ref(self) -> dict:
        """What is stored for this item: references into the deck, never its text.

        A card's item is its id (and, for multiple choice, the shown option order); a computed
        item is its template and seed; a mock question is its card. `resolve` rebuilds the item
        from the deck, so nothing a stored row or an imported file says is ever shown as markup.
        """
        ref: dict = {"kind": self.kind.value}
        if self.kind in (Kind.MCQ, Kind.TRUE_FALSE):
            ref["item"] = self.source
            if self.kind == Kind.MCQ:
                ref["order"] = list(self.order)
        elif self.kind == Kind.COMPUTED:
            ref["template"], ref["seed"] = self.template, self.seed
        else:
            ref["card"] = self.card
        return ref


def stored_ref(stored: object) -> object:
    """A reference from what an earlier version stored or exported (the rendered item, with
    its `source`, `order`, `template` and `seed`); a reference, or anything else, as it is."""
    if not isinstance(stored, Mapping) or "prompt" not in stored:
        return stored
    kind = stored.get("kind")
    if kind in (Kind.MCQ, Kind.TRUE_FALSE):
        ref = {"kind": kind, "item": stored.get("source")}
        if kind == Kind.MCQ:
            ref["order"] = stored.get("order")
        return ref
    if kind == Kind.COMPUTED:
        return {"kind": kind, "template": stored.get("template"), "seed": stored.get("seed")}
    return {"kind": kind, "card": stored.get("card")}


class RefError(ValueError):
    """A stored or imported item reference that the deck cannot resolve; the message says why."""


TRUE_FALSE_CHOICES = (Text("True", "True"), Text("False", "False"))


def kind_of(item: QuizItem) -> Kind:
    return Kind.MCQ if isinstance(item, MultipleChoice) else Kind.TRUE_FALSE


def content_item(card: Card, item: QuizItem, rng: random.Random) -> Item:
    """A card's multiple-choice or true/false item, with its options shuffled by `rng`."""
    if isinstance(item, TrueFalse):
        why = item.why
        return Item(
            kind=Kind.TRUE_FALSE,
            answer_type=AnswerType.BOOLEAN,
            source=item.id,
            card=card.slug,
            prompt=item.statement,
            # True before False always: the T and F keys and the reader's habit expect it.
            choices=tuple(Choice(t, why) for t in TRUE_FALSE_CHOICES),
            correct=item.answer,
            explanation=why,
        )
    return _shown(card, item, tuple(rng.sample(range(len(item.options)), len(item.options))))


def _shown(card: Card, item: MultipleChoice, order: tuple[int, ...]) -> Item:
    """A multiple-choice item with its options in `order` (the card's indices, as shown)."""
    return Item(
        kind=Kind.MCQ,
        answer_type=AnswerType.CHOICE,
        source=item.id,
        card=card.slug,
        prompt=item.prompt,
        choices=tuple(Choice(item.options[i].text, item.options[i].why) for i in order),
        order=order,
        correct=order.index(item.correct_index),
    )


def card_for(template: Template, deck: Deck) -> Card | None:
    for slug in template.card_slugs:
        card = deck.get(slug)
        if card is not None:
            return card
    return next((c for c in deck if set(c.tags) & set(template.card_tags)), None)


def _block(source: str) -> Text:
    # Long formulas are cut into pieces that wrap (a worked computation is a long chain of =).
    source = breakable(source)
    return Text(source, render_block(source))


def _inline(source: str) -> Text:
    source = breakable(source)
    return Text(source, render_inline(source))


def computed_item(template: Template, seed: int, card: Card | None) -> Item:
    made = template.generate(seed)
    number = made.answer_type == "number"
    return Item(
        kind=Kind.COMPUTED,
        answer_type=AnswerType.NUMBER if number else AnswerType.CHOICE,
        source=f"computed/{template.name}",
        card=card.slug if card else None,
        prompt=_block(made.prompt),
        choices=tuple(
            Choice(_inline(c), _inline(w)) for c, w in zip(made.choices, made.whys, strict=True)
        ),
        correct=made.correct,
        tolerance=made.tolerance,
        explanation=_inline(made.explanation),
        template=template.name,
        seed=seed,
    )


@functools.lru_cache(maxsize=512)
def _computed_cached(name: str, seed: int, card: Card | None) -> Item:
    # A computed item runs a small LSTM and renders LaTeX: cached, as each quiz page reads it.
    return computed_item(TEMPLATES[name], seed, card)


def resolve(ref: object, deck: Deck, templates: Mapping[str, Template] = TEMPLATES) -> Item:
    """The item a stored reference names, rebuilt from the deck; RefError says what is wrong.

    Every field is checked: the kind, that the card item exists and is of that kind, that an
    option order is a permutation of the card's options, that a computed template exists and its
    seed is in range. The card an item belongs to is taken from the deck, never from the ref.
    """
    if not isinstance(ref, Mapping):
        raise RefError("an item must be an object")
    try:
        kind = Kind(ref.get("kind"))
    except ValueError:
        raise RefError(f"unknown kind {ref.get('kind')!r}; use {', '.join(Kind)}") from None
    if kind in (Kind.MCQ, Kind.TRUE_FALSE):
        item_id = ref.get("item")
        if not isinstance(item_id, str) or "/" not in item_id:
            raise RefError("`item` must name a card's quiz item, such as forget-gate/0")
        card = deck.get(item_id.rsplit("/", 1)[0])
        source = next((q for q in card.quiz if q.id == item_id), None) if card else None
        if source is None:
            raise RefError(f"the deck has no quiz item {item_id!r}")
        if kind_of(source) != kind:
            raise RefError(f"quiz item {item_id!r} is {kind_of(source).value}, not {kind.value}")
        if isinstance(source, TrueFalse):
            return content_item(card, source, random.Random(0))
        order = ref.get("order")
        n = len(source.options)
        if (
            not isinstance(order, list)
            or any(isinstance(i, bool) or not isinstance(i, int) for i in order)
            or sorted(order) != list(range(n))
        ):
            raise RefError(f"`order` must list the {n} option numbers 0 to {n - 1} once each")
        return _shown(card, source, tuple(order))
    if kind == Kind.COMPUTED:
        name, seed = ref.get("template"), ref.get("seed")
        if not isinstance(name, str) or name not in templates:
            raise RefError(f"unknown computed template {name!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < SEED_LIMIT:
            raise RefError(f"`seed` must be a whole number from 0 to {SEED_LIMIT - 1}")
        card = card_for(templates[name], deck)
        if templates is TEMPLATES:
            return _computed_cached(name, seed, card)
        return computed_item(templates[name], seed, card)
    slug = ref.get("card")
    card = deck.get(slug) if isinstance(slug, str) else None
    if card is None:
        raise RefError(f"the deck has no card {slug!r}")
    return mock_item(card)


REMOVED = Text(
    "This question is no longer in the deck.", "<p>This question is no longer in the deck.</p>"
)


def removed_item(ref: object) -> Item:
    """What a stored reference shows once the deck no longer has its item: a notice, no text
    from the row, nothing to answer (its recorded answer and score stay as they were)."""
    kind = ref.get("kind") if isinstance(ref, Mapping) else None
    kind = Kind(kind) if kind in tuple(Kind) else Kind.MCQ
    answer_type = AnswerType.TEXT if kind == Kind.MOCK else AnswerType.CHOICE
    return Item(kind=kind, answer_type=answer_type, source="removed", card=None, prompt=REMOVED)


@dataclass(frozen=True, slots=True)
class QuizSpec:
    size: int
    kinds: frozenset[Kind]
    topics: frozenset[str] = field(default_factory=frozenset)  # empty: every topic


def deck_topics(deck: Deck) -> list[str]:
    return sorted({tag for card in deck for tag in card.tags})


def _check_topics(topics: Iterable[str], deck: Deck) -> None:
    known = set(deck_topics(deck))
    for topic in topics:
        if topic not in known:
            raise BuildError(
                "topics", f"unknown topic {topic!r}; known: {', '.join(sorted(known))}"
            )


def _on_topic(card: Card | None, topics: frozenset[str]) -> bool:
    return not topics or (card is not None and bool(set(card.tags) & topics))


def available(deck: Deck, spec: QuizSpec, templates: Mapping[str, Template] = TEMPLATES) -> int:
    """How many distinct items match (computed templates make any number: count them as such)."""
    if Kind.COMPUTED in spec.kinds and any(
        _on_topic(card_for(t, deck), spec.topics) for t in templates.values()
    ):
        return max(QUIZ_SIZES)
    return len(_content_pool(deck, spec))


def _content_pool(deck: Deck, spec: QuizSpec) -> list[tuple[Card, QuizItem]]:
    return [
        (card, item)
        for card in deck
        if _on_topic(card, spec.topics)
        for item in card.quiz
        if kind_of(item) in spec.kinds
    ]


def _spread(pool: list[tuple[Card, QuizItem]], rng: random.Random) -> list[tuple[Card, QuizItem]]:
    """The pool reordered so consecutive picks come from different cards (round robin over
    cards in a random order), so a short quiz covers as many cards as it can."""
    by_card: dict[str, list[tuple[Card, QuizItem]]] = {}
    for pair in pool:
        by_card.setdefault(pair[0].slug, []).append(pair)
    groups = list(by_card.values())
    for group in groups:
        rng.shuffle(group)
    rng.shuffle(groups)
    out: list[tuple[Card, QuizItem]] = []
    while groups:
        out.extend(group.pop() for group in groups)
        groups = [g for g in groups if g]
    return out


def build_quiz(
    deck: Deck, spec: QuizSpec, seed: int, templates: Mapping[str, Template] = TEMPLATES
) -> tuple[Item, ...]:
    """`spec.size` items of the asked kinds and topics, in a seeded random order.

    With computed items among several kinds, about one item in len(kinds) is computed (at least
    one); they also fill in when the cards have too few items. Raises BuildError naming the field
    when the request cannot be met.
    """
    if spec.size not in QUIZ_SIZES:
        raise BuildError("size", f"must be one of {', '.join(map(str, QUIZ_SIZES))}")
    if not spec.kinds:
        raise BuildError("kinds", "choose at least one kind of item")
    for kind in spec.kinds:
        if kind not in QUIZ_KINDS:
            raise BuildError("kinds", f"unknown kind {kind!r}; use mcq, true_false or computed")
    _check_topics(spec.topics, deck)
    rng = random.Random(seed)
    content = _spread(_content_pool(deck, spec), rng)
    usable = []
    if Kind.COMPUTED in spec.kinds:
        for template in templates.values():
            card = card_for(template, deck)
            if _on_topic(card, spec.topics):
                usable.append((template, card))
    n_computed = 0
    if usable:
        share = spec.size if spec.kinds == {Kind.COMPUTED} else round(spec.size / len(spec.kinds))
        n_computed = max(1, share)
        n_computed = max(n_computed, spec.size - len(content))  # computed items fill the gap
    if len(content) + n_computed < spec.size:
        have = len(content)
        raise BuildError(
            "size",
            f"only {have} item{'s' if have != 1 else ''} match these kinds and topics; "
            "choose a smaller size, more kinds or more topics",
        )
    picked = [content_item(card, item, rng) for card, item in content[: spec.size - n_computed]]
    rng.shuffle(usable)
    shown: set[str] = set()  # never the same item twice in one attempt, even from two seeds
    for k in range(n_computed):
        template, card = usable[k % len(usable)]
        for _ in range(MAX_REDRAWS):
            item = computed_item(template, rng.randrange(SEED_LIMIT), card)
            if item.prompt.source not in shown:
                break
        shown.add(item.prompt.source)
        picked.append(item)
    rng.shuffle(picked)
    return tuple(picked)


def mock_item(card: Card) -> Item:
    return Item(
        kind=Kind.MOCK,
        answer_type=AnswerType.TEXT,
        source=f"mock/{card.slug}",
        card=card.slug,
        prompt=card.question,
        model_answer=card.short_answer,
        key_points=card.key_points,
    )


def build_mock(
    deck: Deck,
    size: int,
    seed: int,
    topics: frozenset[str] = frozenset(),
    cards: Sequence[str] = (),
) -> tuple[Item, ...]:
    """The chosen cards' questions in the order given, or `size` random ones on the topics."""
    if cards:
        if len(cards) > max(MOCK_SIZES):
            raise BuildError("cards", f"choose at most {max(MOCK_SIZES)} questions")
        if len(set(cards)) != len(cards):
            raise BuildError("cards", "a question is listed twice")
        chosen = []
        for slug in cards:
            card = deck.get(slug)
            if card is None:
                raise BuildError("cards", f"no card is called {slug!r}")
            chosen.append(card)
        return tuple(mock_item(c) for c in chosen)
    if size not in MOCK_SIZES:
        raise BuildError("size", f"must be between {min(MOCK_SIZES)} and {max(MOCK_SIZES)}")
    _check_topics(topics, deck)
    pool = [c for c in deck if _on_topic(c, topics)]
    if len(pool) < size:
        raise BuildError(
            "size", f"only {len(pool)} questions match these topics; choose at most {len(pool)}"
        )
    return tuple(mock_item(c) for c in random.Random(seed).sample(pool, size))


def parse_answer(item: Item, raw: object) -> int | bool | float | str:
    """The answer in the item's form, or AnswerError saying what the item expects."""
    if item.source == "removed":
        raise AnswerError("this question is no longer in the deck; skip it")
    kind = item.answer_type
    if kind == AnswerType.CHOICE:
        n = len(item.choices)
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw < n:
            raise AnswerError(f"this item takes an option number from 0 to {n - 1}")
        return raw
    if kind == AnswerType.BOOLEAN:
        if not isinstance(raw, bool):
            raise AnswerError("this item takes true or false")
        return raw
    if kind == AnswerType.NUMBER:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise AnswerError("this item takes a number")
        value = float(raw)
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            raise AnswerError(f"the number must be finite and at most {MAX_NUMBER:g} in size")
        return value
    if not isinstance(raw, str):
        raise AnswerError("this question takes your answer as text")
    if len(raw) > MAX_TEXT:
        raise AnswerError(f"the answer is {len(raw)} characters; the limit is {MAX_TEXT}")
    return raw


def is_correct(item: Item, value: int | bool | float | str) -> bool | None:
    """Whether a parsed answer is right (None for free text: the learner scores it)."""
    if item.answer_type == AnswerType.TEXT:
        return None
    if item.answer_type == AnswerType.NUMBER:
        # A hair of slack so an answer typed exactly at the stated tolerance is accepted.
        return abs(float(value) - float(item.correct)) <= item.tolerance + 1e-9
    return value == item.correct


def self_score(item: Item, ticked: Iterable[int]) -> float:
    """The share of the key points the learner ticked (each index once)."""
    points = len(item.key_points)
    marks = set(ticked)
    for i in marks:
        if not 0 <= i < points:
            raise AnswerError(f"key point {i} does not exist; this question has {points}")
    return len(marks) / points if points else 0.0


def mock_share(item: Item, ticked: Iterable[int], timed_out: bool) -> float:
    """A mock question's score: the share ticked, but 0 when its time ran out, whatever is
    ticked (like a timed-out quiz item: what was not said in time did not count)."""
    share = self_score(item, ticked)  # checks the ticks either way
    return 0.0 if timed_out else share


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one item ended, from its stored answer row (or None when it has none yet)."""

    status: OutcomeStatus
    is_mistake: bool


def outcome(answered: bool, correct: bool | None, timed_out: bool, given: object) -> Outcome:
    if not answered:
        return Outcome(OutcomeStatus.OPEN, False)
    if timed_out:
        return Outcome(OutcomeStatus.TIMED_OUT, True)
    if given is None:
        # Left unanswered when the learner finished early: not right, but no evidence of
        # forgetting either, so it does not send its card back to review.
        return Outcome(OutcomeStatus.SKIPPED, False)
    if correct is None:
        return Outcome(OutcomeStatus.ANSWERED, False)
    return Outcome(OutcomeStatus.CORRECT if correct else OutcomeStatus.WRONG, not correct)


@dataclass(frozen=True, slots=True)
class Score:
    correct: int
    wrong: int
    timed_out: int
    skipped: int
    total: int

    @property
    def ratio(self) -> float:
        return self.correct / self.total if self.total else 0.0


def score(outcomes: Sequence[Outcome]) -> Score:
    def count(status: OutcomeStatus) -> int:
        return sum(1 for o in outcomes if o.status == status)

    return Score(
        correct=count(OutcomeStatus.CORRECT),
        wrong=count(OutcomeStatus.WRONG),
        timed_out=count(OutcomeStatus.TIMED_OUT),
        skipped=count(OutcomeStatus.SKIPPED),
        total=len(outcomes),
    )


def mock_score(self_scores: Sequence[float | None]) -> float:
    """A mock interview's score: the mean share of key points ticked (unscored questions: 0)."""
    return sum(s or 0.0 for s in self_scores) / len(self_scores) if self_scores else 0.0


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    deadline: datetime


def mock_windows(
    started_at: datetime, seconds: int, closed: Sequence[datetime | None]
) -> list[Window]:
    """Each interview question's time window; questions are taken one after another.

    closed[k] is when question k was closed: answered, or (for a timed-out one) its deadline; None
    while it is open or not reached. Question k+1 starts when k closes, or at k's deadline if k is
    still open: a question left alone times out and the next one's clock starts.
    """
    out: list[Window] = []
    start = started_at
    limit = timedelta(seconds=seconds)
    for done in closed:
        window = Window(start, start + limit)
        out.append(window)
        start = min(done, window.deadline) if done is not None else window.deadline
    return out


def mock_clock(
    windows: Sequence[Window], closed: Sequence[datetime | None], now: datetime
) -> tuple[list[int], int | None]:
    """(questions whose time ran out while open, the question open at `now` or None).

    The windows already assume an open question times out, so the expired ones are recorded
    with their deadline as closing time and every later window stays as computed."""
    expired = [
        k
        for k, (w, done) in enumerate(zip(windows, closed, strict=True))
        if done is None and w.deadline <= now
    ]
    current = next(
        (
            k
            for k, (w, done) in enumerate(zip(windows, closed, strict=True))
            if done is None and now < w.deadline
        ),
        None,
    )
    return expired, current
