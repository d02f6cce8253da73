"""The deck as immutable objects: what a `questions/NN-slug.md` file becomes once loaded.

Every text field is kept twice: the Markdown source (for exports such as Anki) and the HTML the
pages show (Markdown rendered, LaTeX turned into MathML).
"""

from dataclasses import dataclass, field
from enum import StrEnum

from app.content.cues import PointCues


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


@dataclass(frozen=True, slots=True)
class Text:
    """A piece of card text: its Markdown source and the HTML rendered from it."""

    source: str
    html: str


@dataclass(frozen=True, slots=True)
class Reference:
    authors: str
    title: str
    year: int
    venue: str
    url: str


@dataclass(frozen=True, slots=True)
class LabLink:
    preset: str
    look_for: Text


@dataclass(frozen=True, slots=True)
class TourStep:
    """One step of a card's guided lab tour: what to look for, and what the lab selects for it
    (None: leave as it is). unit and step are 1-based, as on screen; hold is a held value in
    the lab's link form, quantity.unit.from.to.value."""

    text: Text
    tab: str | None = None
    gate: str | None = None
    unit: int | None = None
    step: int | None = None
    hold: str | None = None
    feature: str | None = None


@dataclass(frozen=True, slots=True)
class Misconception:
    claim: Text
    correction: Text


@dataclass(frozen=True, slots=True)
class FollowUp:
    question: Text
    answer: Text


@dataclass(frozen=True, slots=True)
class Option:
    text: Text
    correct: bool
    why: Text


@dataclass(frozen=True, slots=True)
class MultipleChoice:
    """A question with four options, exactly one correct (the loader checks both)."""

    id: str  # stable within the deck: "<slug>/<index>"
    prompt: Text
    options: tuple[Option, ...]
    fact: str = ""  # the fact it tests: unique across the deck, so no fact is asked twice
    skill: str = "recall"  # "apply": the learner must use the idea, not only remember it

    @property
    def correct_index(self) -> int:
        return next(i for i, option in enumerate(self.options) if option.correct)


@dataclass(frozen=True, slots=True)
class TrueFalse:
    id: str
    statement: Text
    answer: bool
    why: Text
    fact: str = ""
    skill: str = "recall"


QuizItem = MultipleChoice | TrueFalse


@dataclass(frozen=True, slots=True)
class Card:
    number: int
    slug: str
    question: Text
    tags: tuple[str, ...]
    difficulty: Difficulty
    short_answer: Text
    full_answer: Text
    key_points: tuple[Text, ...]
    misconceptions: tuple[Misconception, ...]
    follow_ups: tuple[FollowUp, ...]
    references: tuple[Reference, ...]
    lab: LabLink
    quiz: tuple[QuizItem, ...]
    path: str  # the file it came from, relative to the questions folder
    # Per key point, how the recall detector hears it (questions/recall/NN-slug.yaml).
    cues: tuple[PointCues, ...] = ()
    # The lab tour after "what to look for" (questions/lab/NN-slug.yaml).
    tour: tuple[TourStep, ...] = ()


@dataclass(frozen=True, slots=True)
class Deck:
    """The cards in deck order (by number), with lookups by slug and neighbours."""

    cards: tuple[Card, ...]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {c.slug: i for i, c in enumerate(self.cards)})

    def __len__(self) -> int:
        return len(self.cards)

    def __iter__(self):
        return iter(self.cards)

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(c.slug for c in self.cards)

    def get(self, slug: str) -> Card | None:
        i = self._index.get(slug)
        return None if i is None else self.cards[i]

    def neighbours(self, slug: str) -> tuple[Card | None, Card | None]:
        """The cards before and after `slug` in deck order (None at either end)."""
        i = self._index[slug]
        before = self.cards[i - 1] if i > 0 else None
        after = self.cards[i + 1] if i + 1 < len(self.cards) else None
        return before, after
