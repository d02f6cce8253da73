"""Active recall: check a typed answer against a card's key points (POST /api/recall/check)."""

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from app.deps import DeckDep, deck_card
from app.schemas import ErrorOut
from app.study import recall
from app.study.scheduling import RATING_LABELS

api = APIRouter(prefix="/api/recall", tags=["recall"])


class RecallCheckIn(BaseModel):
    card: str = Field(min_length=1, max_length=80, description="The card's slug")
    answer: str = Field(
        max_length=recall.MAX_ANSWER_CHARS,
        description=f"The learner's answer, at most {recall.MAX_ANSWER_CHARS} characters",
    )
    duration_ms: int | None = Field(
        None, ge=0, le=3_600_000, description="Time spent answering; a quick full answer is Easy"
    )


class KeyPointCheckOut(BaseModel):
    index: int
    text: str = Field(description="The key point, Markdown with $LaTeX$")
    html: str = Field(description="The key point rendered, mathematics as MathML")
    covered: bool
    evidence: str | None = Field(description="The words of the answer that cover it")


class RecallCheckOut(BaseModel):
    key_points: list[KeyPointCheckOut]
    covered: int
    coverage: float = Field(description="Share of key points covered, 0 to 1")
    suggested_rating: int = Field(
        description="None covered 1 (Again), some 2 (Hard), most 3 (Good), all and quick 4 (Easy)"
    )
    suggested_label: str
    easy_within_ms: int = Field(
        description="A full answer given within this time suggests Easy", default=recall.QUICK_MS
    )


@api.post(
    "/check",
    response_model=RecallCheckOut,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
)
def check_answer(body: RecallCheckIn, deck: DeckDep):
    """Which of the card's key points the answer covered, with the words that show it.

    Runs on the server from the card's authored cue phrases, offline, in about a millisecond; it
    reads nothing and writes nothing (the review that follows stores the answer).
    """
    card = deck_card(deck, body.card, field="card")
    if not card.cues:
        raise HTTPException(
            409, "card: this card has no recall cues yet, so its key points cannot be checked."
        )
    result = recall.check(card.cues, body.answer)
    rating = recall.suggest_rating(result.covered, len(result.points), body.duration_ms)
    return RecallCheckOut(
        key_points=[
            KeyPointCheckOut(
                index=p.index,
                text=card.key_points[p.index].source,
                html=card.key_points[p.index].html,
                covered=p.covered,
                evidence=p.evidence,
            )
            for p in result.points
        ],
        covered=result.covered,
        coverage=round(result.coverage, 4),
        suggested_rating=int(rating),
        suggested_label=RATING_LABELS[rating],
    )
