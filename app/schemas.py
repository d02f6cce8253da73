"""Response models of the public JSON API (stable: clients and tests depend on them)."""

from datetime import datetime
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, Field

from app.content.model import Card, Text
from app.study.status import CardStatus


class RichText(BaseModel):
    markdown: str = Field(description="The source, Markdown with $LaTeX$")
    html: str = Field(description="Rendered HTML, mathematics as MathML")

    @classmethod
    def of(cls, text: Text) -> "RichText":
        return cls(markdown=text.source, html=text.html)


class ReferenceOut(BaseModel):
    authors: str
    title: str
    year: int
    venue: str
    url: str


class LabLinkOut(BaseModel):
    preset: str
    look_for: RichText
    url: str


class MisconceptionOut(BaseModel):
    claim: RichText
    correction: RichText


class FollowUpOut(BaseModel):
    question: RichText
    answer: RichText


class CardStatusOut(BaseModel):
    stage: str = Field(description="new, learning, review or relearning")
    due: datetime | None
    retrievability: float | None = Field(description="Predicted probability of recall now")
    reps: int
    lapses: int

    @classmethod
    def of(cls, status: CardStatus) -> "CardStatusOut":
        return cls(
            stage=status.stage.value,
            due=status.due,
            retrievability=status.retrievability,
            reps=status.reps,
            lapses=status.lapses,
        )


class CardSummaryOut(BaseModel):
    number: int
    slug: str
    question: RichText
    tags: list[str]
    difficulty: str
    url: str
    lab_url: str
    status: CardStatusOut
    suspended: bool = Field(False, description="Out of every queue and quiz until unsuspended")
    flag: str | None = Field(None, description="red, orange, green, blue or null")


class CardOut(CardSummaryOut):
    short_answer: RichText
    full_answer: RichText
    key_points: list[RichText]
    misconceptions: list[MisconceptionOut]
    follow_ups: list[FollowUpOut]
    references: list[ReferenceOut]
    lab: LabLinkOut
    previous: str | None = Field(description="Slug of the card before this one in deck order")
    next: str | None = Field(description="Slug of the card after this one in deck order")
    note: RichText | None = Field(None, description="Your own note on this card")


class CardMarksOut(BaseModel):
    card: str
    suspended: bool
    flag: str | None = Field(description="red, orange, green, blue or null")
    note: RichText | None = Field(description="Your own note, Markdown rendered without HTML")
    updated_at: datetime | None

    @classmethod
    def of(cls, marks) -> "CardMarksOut":
        note = RichText(markdown=marks.note, html=marks.note_html) if marks.note else None
        flag = marks.flag.value if marks.flag else None
        return cls(
            card=marks.card,
            suspended=marks.suspended,
            flag=flag,
            note=note,
            updated_at=marks.updated_at,
        )


class ErrorOut(BaseModel):
    detail: str


def lab_url(card: Card) -> str:
    return f"/lab?preset={card.lab.preset}&card={card.slug}"


def card_summary(card: Card, status: CardStatus, marks=None) -> CardSummaryOut:
    return CardSummaryOut(
        suspended=bool(marks and marks.suspended),
        flag=marks.flag.value if marks and marks.flag else None,
        number=card.number,
        slug=card.slug,
        question=RichText.of(card.question),
        tags=list(card.tags),
        difficulty=card.difficulty.value,
        url=f"/cards/{card.slug}",
        lab_url=lab_url(card),
        status=CardStatusOut.of(status),
    )


def card_detail(
    card: Card, status: CardStatus, previous: Card | None, next_: Card | None, marks=None
) -> CardOut:
    note = marks and marks.note and RichText(markdown=marks.note, html=marks.note_html)
    return CardOut(
        **card_summary(card, status, marks).model_dump(),
        note=note or None,
        short_answer=RichText.of(card.short_answer),
        full_answer=RichText.of(card.full_answer),
        key_points=[RichText.of(p) for p in card.key_points],
        misconceptions=[
            MisconceptionOut(claim=RichText.of(m.claim), correction=RichText.of(m.correction))
            for m in card.misconceptions
        ],
        follow_ups=[
            FollowUpOut(question=RichText.of(f.question), answer=RichText.of(f.answer))
            for f in card.follow_ups
        ],
        references=[_ref(r) for r in card.references],
        lab=LabLinkOut(
            preset=card.lab.preset, look_for=RichText.of(card.lab.look_for), url=lab_url(card)
        ),
        previous=previous.slug if previous else None,
        next=next_.slug if next_ else None,
    )


def _ref(r) -> ReferenceOut:
    return ReferenceOut(authors=r.authors, title=r.title, year=r.year, venue=r.venue, url=r.url)


# Row ids are 32-bit INTEGER columns (PostgreSQL's limit): a larger id in a path is refused with a
# 422 naming the limit instead of failing in the database (found by fuzzing the API).
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="The id, 1 to 2147483647")]
