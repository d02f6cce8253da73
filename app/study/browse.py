"""Search, filter and sort the deck for one learner (pure: cards, their statuses and marks in).

The same function serves the /cards page and GET /api/cards, so both read the same URL
parameters the same way.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.content.model import Card
from app.study.marks import Flag
from app.study.scheduling import LEECH_LAPSES
from app.study.status import CardStatus, Stage

MAX_QUERY_CHARS = 100


class StateFilter(StrEnum):
    NEW = "new"
    LEARNING = "learning"
    REVIEW = "review"
    RELEARNING = "relearning"
    DUE = "due"
    LEECH = "leech"


class FlagFilter(StrEnum):
    ANY = "any"  # flagged with any colour
    NONE = "none"  # not flagged
    RED = "red"
    ORANGE = "orange"
    GREEN = "green"
    BLUE = "blue"


class Sort(StrEnum):
    NUMBER = "number"  # deck order
    DUE = "due"  # soonest first; new cards last
    RECALL = "recall"  # weakest predicted recall first; new cards last
    LAPSES = "lapses"  # most forgotten first


@dataclass(frozen=True, slots=True)
class Query:
    q: str = ""
    tag: str | None = None
    state: StateFilter | None = None
    flag: FlagFilter | None = None
    suspended: bool | None = None
    sort: Sort = Sort.NUMBER

    @property
    def active(self) -> bool:
        return bool(self.q or self.tag or self.state or self.flag or self.suspended is not None)


@dataclass(frozen=True, slots=True)
class MarkView:
    suspended: bool = False
    flag: Flag | None = None


def _plain(markdown: str) -> str:
    return re.sub(r"[\s`*_$\\{}]+", " ", markdown).lower()


def searchable(card: Card) -> str:
    """The question and answer text of a card, lower-cased, markup and maths delimiters gone."""
    parts = [card.question.source, card.short_answer.source, card.full_answer.source]
    parts += [p.source for p in card.key_points]
    return _plain(" ".join(parts))


def _matches(card: Card, text: str, status: CardStatus, mark: MarkView, query: Query) -> bool:
    if query.q and not all(word in text for word in _plain(query.q).split()):
        return False
    if query.tag and query.tag not in card.tags:
        return False
    if query.state is StateFilter.DUE and not status.is_due:
        return False
    if query.state is StateFilter.LEECH and status.lapses < LEECH_LAPSES:
        return False
    stages = {s.value for s in Stage}
    if query.state in stages and status.stage is not Stage(query.state.value):
        return False
    if query.flag is FlagFilter.ANY and mark.flag is None:
        return False
    if query.flag is FlagFilter.NONE and mark.flag is not None:
        return False
    if query.flag not in (None, FlagFilter.ANY, FlagFilter.NONE) and mark.flag != query.flag.value:
        return False
    return query.suspended is None or mark.suspended == query.suspended


def browse(
    cards: Sequence[Card],
    statuses: Mapping[str, CardStatus],
    marks: Mapping[str, MarkView],
    query: Query,
    texts: Mapping[str, str] | None = None,
) -> list[Card]:
    """The cards that pass every filter of `query`, in its order (ties in deck order)."""
    none = MarkView()
    found = [
        c
        for c in cards
        if _matches(
            c,
            texts[c.slug] if texts else searchable(c),
            statuses[c.slug],
            marks.get(c.slug, none),
            query,
        )
    ]
    if query.sort is Sort.DUE:
        found.sort(key=lambda c: (statuses[c.slug].due is None, statuses[c.slug].due or 0))
    elif query.sort is Sort.RECALL:
        found.sort(
            key=lambda c: (
                statuses[c.slug].retrievability is None,
                statuses[c.slug].retrievability or 0.0,
            )
        )
    elif query.sort is Sort.LAPSES:
        found.sort(key=lambda c: -statuses[c.slug].lapses)
    return found
