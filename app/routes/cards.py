"""The deck: the list of cards (search, filters, sort) and one card, as pages and as JSON; the
learner's own marks on a card (suspend, flag, note)."""

import json
import re
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import repository
from app.content import Deck
from app.deps import CardDep, CurrentUser, DeckDep, NowDep, SessionDep, TemplatesDep
from app.models import User
from app.schemas import (
    CardMarksOut,
    CardOut,
    CardSummaryOut,
    ErrorOut,
    card_detail,
    card_summary,
    lab_url,
)
from app.services import marks as marks_service
from app.services import reviews
from app.study import browse
from app.study.browse import FlagFilter, Sort, StateFilter
from app.study.marks import FLAG_LABELS, MAX_NOTE_CHARS, Flag
from app.study.recall import MAX_ANSWER_CHARS
from app.study.scheduling import LEECH_LAPSES, RATING_LABELS, Rating

pages = APIRouter(tags=["pages"], include_in_schema=False)
api = APIRouter(prefix="/api/cards", tags=["cards"])

TAG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _choice(field: str, value: str | None, kind):
    """An optional choice from the URL: empty means "any" (a form's first option)."""
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise HTTPException(
            422, f"{field}: use {', '.join(k.value for k in kind)}, or leave it empty"
        ) from None


def browse_query(
    q: Annotated[
        str,
        Query(
            max_length=browse.MAX_QUERY_CHARS,
            description="Words that must all occur in the question or answer text",
        ),
    ] = "",
    tag: Annotated[str, Query(max_length=40, description="One tag (empty: any)")] = "",
    state: Annotated[
        str, Query(max_length=20, description="new, learning, review, relearning, due or leech")
    ] = "",
    flag: Annotated[
        str, Query(max_length=20, description="red, orange, green, blue, any or none")
    ] = "",
    suspended: Annotated[
        str, Query(max_length=5, description="true: only suspended; false: only the others")
    ] = "",
    sort: Annotated[
        str, Query(max_length=20, description="number (default), due, recall or lapses")
    ] = "",
) -> browse.Query:
    if tag and not re.fullmatch(TAG, tag):
        raise HTTPException(422, "tag: lower-case words joined by '-'")
    if suspended not in ("", "true", "false"):
        raise HTTPException(422, "suspended: use true or false, or leave it empty")
    return browse.Query(
        q=q.strip(),
        tag=tag or None,
        state=_choice("state", state, StateFilter),
        flag=_choice("flag", flag, FlagFilter),
        suspended=None if not suspended else suspended == "true",
        sort=_choice("sort", sort, Sort) or Sort.NUMBER,
    )


BrowseDep = Annotated[browse.Query, Depends(browse_query)]


def _browse(deck: Deck, user, session, query: browse.Query, now):
    statuses = repository.statuses(session, user.id, deck.slugs, now)
    marks = {
        slug: marks_service.Marks.of(slug, row)
        for slug, row in marks_service.rows(session, user.id).items()
    }
    views = {s: browse.MarkView(m.suspended, m.flag) for s, m in marks.items()}
    return statuses, marks, browse.browse(deck.cards, statuses, views, query)


@pages.get("/cards", response_class=HTMLResponse)
def deck_page(
    request: Request,
    deck: DeckDep,
    user: CurrentUser,
    session: SessionDep,
    templates: TemplatesDep,
    query: BrowseDep,
    now: NowDep,
):
    statuses, marks, found = _browse(deck, user, session, query, now)
    context = {
        "rows": [(card, statuses[card.slug], marks.get(card.slug)) for card in found],
        "total": len(deck),
        "query": query,
        "tags": sorted({t for c in deck for t in c.tags}),
        "states": list(StateFilter),
        "flag_filters": list(FlagFilter),
        "sorts": list(Sort),
        "max_query": browse.MAX_QUERY_CHARS,
        "leech_lapses": LEECH_LAPSES,
        "now": now,
    }
    return templates.TemplateResponse(request, "cards/deck.html", context)


def _personal(session: Session, user: User, slug: str, now):
    """A learner's status, marks and history of one card (blocking reads, run in a thread)."""
    status = repository.statuses(session, user.id, (slug,), now)[slug]
    history = []
    for log in reviews.card_history(session, user, slug):
        points = json.loads(log.answer_points) if log.answer_points else None
        history.append((log, RATING_LABELS[Rating(log.rating)], points))
    return status, marks_service.of_card(session, user.id, slug), history


@pages.get("/cards/{slug}", response_class=HTMLResponse)
async def card_page(
    card: CardDep,
    request: Request,
    deck: DeckDep,
    user: CurrentUser,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
):
    # `async def`: the only blocking work (a signed-in learner's state, marks and history) goes
    # to a thread; a guest without an account owns no rows, so every card is new and unmarked.
    slug = card.slug
    if user.id is None:
        status = repository.statuses_of({}, (slug,), now)[slug]
        marks, history = marks_service.Marks.of(slug, None), []
    else:
        status, marks, history = await run_in_threadpool(_personal, session, user, slug, now)
    previous, next_ = deck.neighbours(slug)
    context = {
        "card": card,
        "status": status,
        "marks": marks,
        "history": history,
        "flags": FLAG_LABELS,
        "max_note": MAX_NOTE_CHARS,
        "max_answer": MAX_ANSWER_CHARS,
        "previous": previous,
        "next": next_,
        "lab_url": lab_url(card),
        "position": deck.slugs.index(slug) + 1,
        "total": len(deck),
        "now": now,
    }
    return templates.TemplateResponse(request, "cards/card.html", context)


@api.get("", response_model=list[CardSummaryOut])
def list_cards(
    deck: DeckDep, user: CurrentUser, session: SessionDep, query: BrowseDep, now: NowDep
):
    """The deck with this user's study status and marks, searched, filtered and sorted.

    `q` words must all occur in the question or answer; `tag` one tag; `state` new, learning,
    review, relearning, due or leech; `flag` a colour, any or none; `suspended` true or false;
    `sort` number (deck order), due, recall (weakest first) or lapses (most first).
    """
    statuses, marks, found = _browse(deck, user, session, query, now)
    return [card_summary(card, statuses[card.slug], marks.get(card.slug)) for card in found]


@api.get("/{slug}", response_model=CardOut, responses={404: {"model": ErrorOut}})
def get_card(card: CardDep, deck: DeckDep, user: CurrentUser, session: SessionDep, now: NowDep):
    """One card with its answer, key points, misconceptions, follow-ups, references, lab link,
    and your marks and note."""
    status = repository.statuses(session, user.id, (card.slug,), now)[card.slug]
    marks = marks_service.of_card(session, user.id, card.slug)
    return card_detail(card, status, *deck.neighbours(card.slug), marks)


class FlagsIn(BaseModel):
    suspended: bool | None = Field(
        None, description="true: out of every queue and quiz; false: back in; omitted: unchanged"
    )
    flag: Flag | None = Field(
        None, description="red, orange, green, blue, or null to clear; omitted: unchanged"
    )


class NoteIn(BaseModel):
    text: str = Field(
        max_length=MAX_NOTE_CHARS,
        description=f"Markdown, at most {MAX_NOTE_CHARS} characters; empty removes the note",
    )


@api.put(
    "/{slug}/flags",
    response_model=CardMarksOut,
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def put_flags(card: CardDep, body: FlagsIn, user: CurrentUser, session: SessionDep, now: NowDep):
    """Suspend or unsuspend a card, and set or clear its flag (fields left out stay)."""
    given = body.model_fields_set
    changes = {}
    if "suspended" in given:
        if body.suspended is None:
            raise HTTPException(422, "suspended: must be true or false")
        changes["suspended"] = body.suspended
    if "flag" in given:
        changes["flag"] = body.flag
    marks = marks_service.set_flags(session, user, card.slug, now, **changes)
    return CardMarksOut.of(marks)


@api.put("/{slug}/note", response_model=CardMarksOut, responses={404: {"model": ErrorOut}})
def put_note(card: CardDep, body: NoteIn, user: CurrentUser, session: SessionDep, now: NowDep):
    """Your own note on a card, in Markdown (raw HTML is shown as text); empty text removes it."""
    return CardMarksOut.of(marks_service.set_note(session, user, card.slug, body.text, now))
