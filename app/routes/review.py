"""Spaced-repetition review: the review screen, the next card, rating, undo."""

from dataclasses import fields
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from app.content.model import Card
from app.deps import (
    CurrentUser,
    DeckDep,
    LoadUser,
    NowDep,
    SessionDep,
    SettingsDep,
    TemplatesDep,
    deck_card,
    in_write_lane,
)
from app.moments import UserDateTime
from app.schemas import MAX_ROW_ID, ErrorOut, RichText, lab_url
from app.services import marks as marks_service
from app.services import next_card as next_card_service
from app.services import reviews
from app.study import recall, scheduling
from app.study.marks import FLAG_LABELS, MAX_NOTE_CHARS
from app.study.scheduling import Rating

pages = APIRouter(tags=["pages"], include_in_schema=False)
api = APIRouter(prefix="/api", tags=["review"])


class ReviewIn(BaseModel):
    card: str = Field(min_length=1, max_length=80, description="The card's slug")
    rating: int = Field(ge=1, le=4, description="1 Again, 2 Hard, 3 Good, 4 Easy")
    duration_ms: int | None = Field(None, ge=0, le=3_600_000, description="Time spent, at most 1 h")
    idempotency_key: str = Field(
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Unique per submission; a retry with the same key records nothing new",
    )
    answer: str | None = Field(
        None,
        max_length=recall.MAX_ANSWER_CHARS,
        description="The answer typed before revealing, kept with the review",
    )
    answer_points: list[Annotated[int, Field(ge=0, le=19)]] | None = Field(
        None, max_length=20, description="The key points (0-based) left ticked as covered"
    )


class ReviewOut(BaseModel):
    review_id: int = Field(description="This rating's id: what `POST /api/reviews/undo` takes")
    card: str
    rating: int
    reviewed_at: datetime
    stage: str
    due: datetime
    stability: float | None
    difficulty: float | None
    retrievability: float | None
    reps: int
    lapses: int
    leech: bool = Field(description=f"{scheduling.LEECH_LAPSES} or more lapses")


class UndoIn(BaseModel):
    """The rating to undo, named by the idempotency key it was sent with or by its review_id."""

    idempotency_key: str | None = Field(
        None, min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$"
    )
    review_id: int | None = Field(None, ge=1, le=MAX_ROW_ID)  # the column is 32-bit


class UndoOut(BaseModel):
    card: str
    rating: int = Field(description="The rating that was undone")
    stage: str
    due: datetime | None


class ButtonOut(BaseModel):
    rating: int
    label: str
    interval: str = Field(description="The interval this rating would give, e.g. '10 min', '4 d'")


class ReviewCardOut(BaseModel):
    slug: str
    number: int
    question: RichText
    short_answer: RichText
    full_answer: RichText
    key_points: list[RichText]
    url: str
    lab_url: str
    lab_look_for: RichText


class CountsOut(BaseModel):
    due_now: int
    due_today: int
    new_left: int
    new_waiting: int = Field(0, description="New cards beyond today's limit (study more)")
    due_ahead: int = Field(0, description="Studied cards due in the next 7 days (review ahead)")


class NextOut(BaseModel):
    card: ReviewCardOut | None = Field(description="None when nothing is left for now")
    is_new: bool
    stage: str | None
    retrievability: float | None = Field(description="Predicted recall now, before this review")
    lapses: int
    leech: bool
    buttons: list[ButtonOut]
    counts: CountsOut
    next_due: datetime | None = Field(description="When the next studied card falls due")
    new_limit_raised_to: int | None = Field(
        None,
        description="Today's new-card limit when it is raised above your setting so that every "
        "card is introduced in time for your interview; null otherwise",
    )
    flag: str | None = Field(None, description="Your flag on this card: a colour or null")
    note: RichText | None = Field(None, description="Your own note on this card")


def review_card_out(card: Card) -> ReviewCardOut:
    return ReviewCardOut(
        slug=card.slug,
        number=card.number,
        question=RichText.of(card.question),
        short_answer=RichText.of(card.short_answer),
        full_answer=RichText.of(card.full_answer),
        key_points=[RichText.of(p) for p in card.key_points],
        url=f"/cards/{card.slug}",
        lab_url=lab_url(card),
        lab_look_for=RichText.of(card.lab.look_for),
    )


@pages.get("/review", response_class=HTMLResponse)
def review_page(request: Request, user: CurrentUser, templates: TemplatesDep, mode: str = "due"):
    mode = mode if mode in ("mistakes", "ahead") else "due"
    context = {
        "mode": mode,
        "hard_hint": True,
        "leech_lapses": scheduling.LEECH_LAPSES,
        "flags": FLAG_LABELS,
        "marks": None,
        "max_note": MAX_NOTE_CHARS,
        "max_answer": recall.MAX_ANSWER_CHARS,
    }
    return templates.TemplateResponse(request, "review/review.html", context)


@api.get("/review/next", response_model=NextOut)
def next_card(
    deck: DeckDep,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
    mode: Literal["due", "mistakes", "ahead"] = "due",
    days: Annotated[
        int,
        Query(
            ge=1,
            le=365,
            description="Mistakes: look back this many days; ahead: look this many days ahead",
        ),
    ] = 7,
    since: Annotated[
        UserDateTime | None,
        Query(description="Mistakes: skip cards reviewed since (session start), with a time zone"),
    ] = None,
):
    """The next card due for this user now (or a new one within today's limit), with counts.

    `mode=ahead` reviews ahead: the studied card due soonest in the next `days` days (at most
    30), rated as an early review (FSRS counts the real elapsed time)."""
    view = next_card_service.next_card(
        session,
        user,
        deck,
        now,
        mistakes=mode == "mistakes",
        ahead=mode == "ahead",
        days=days,
        since=since,
    )
    values = {f.name: getattr(view, f.name) for f in fields(view)}
    card = None if view.card is None else review_card_out(view.card)
    extra = {"card": card}
    if view.card is not None:
        marks = marks_service.of_card(session, user.id, view.card.slug)
        extra["flag"] = marks.flag.value if marks.flag else None
        if marks.note:
            extra["note"] = RichText(markdown=marks.note, html=marks.note_html)
    return NextOut.model_validate(values | extra, from_attributes=True)


@api.post(
    "/reviews",
    response_model=ReviewOut,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
)
async def submit_review(
    body: ReviewIn,
    request: Request,
    response: Response,
    deck: DeckDep,
    load_user: LoadUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
):
    """Record one rating. The same idempotency_key again returns the first result unchanged."""
    # `async def` with all the database work (finding the user, then the review) in one thread
    # call, in the write lane: each hand-off to a thread is a thread switch and two event-loop
    # wake-ups, and a review waiting for the lane holds no thread and no connection.
    card = deck_card(deck, body.card, field="card")
    points = body.answer_points
    if points is not None and any(p >= len(card.key_points) for p in points):
        raise HTTPException(
            422, f"answer_points: this card has key points 0 to {len(card.key_points) - 1}"
        )

    def record() -> reviews.ReviewResult:
        return reviews.record_review(
            session,
            load_user(),
            body.card,
            Rating(body.rating),
            now,
            idempotency_key=body.idempotency_key,
            duration_ms=body.duration_ms,
            fuzz=settings.fsrs_fuzz,
            answer=body.answer,
            answer_points=sorted(set(points)) if points is not None else None,
        )

    result = await in_write_lane(request, record)
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return ReviewOut.model_validate(result, from_attributes=True)


@api.post(
    "/reviews/undo",
    response_model=UndoOut,
    responses={409: {"model": ErrorOut, "description": "Nothing named, or it cannot be undone"}},
)
def undo(user: CurrentUser, session: SessionDep, body: UndoIn | None = None):
    """Undo one rating made on the review screen: the card's previous state comes back exactly.

    Name the rating by the `idempotency_key` it was sent with (or the `review_id` that
    `POST /api/reviews` returned). It must be this user's, made on the review screen (not by a
    quiz) and still the card's latest rating; otherwise the answer is 409 and nothing changes.
    A request that names nothing (clients written for the old "undo my last review") gets 409
    with a message saying what to send, so it can never undo a rating made elsewhere."""
    body = body or UndoIn()
    result = reviews.undo_review(
        session, user, review_id=body.review_id, idempotency_key=body.idempotency_key
    )
    return UndoOut(card=result.card, rating=result.rating, stage=result.stage, due=result.due)
