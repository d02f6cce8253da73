"""The quiz API's request and response models, and the mapping from the service's views to them
(beside `app/schemas.py` and `lab_schemas.py`). Nothing here reads the database."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from app.content.model import Deck, Text
from app.schemas import RichText, lab_url
from app.services import quizzes
from app.services.quizzes import View
from app.study import quiz
from app.study.quiz import AnswerType, AttemptKind, AttemptStatus, Mode, OutcomeStatus

# What the builder pages offer.
KIND_LABELS = {
    "mcq": "Multiple choice",
    "true_false": "True or false",
    "computed": "Computed (worked out with the lab's engine)",
}
MODE_LABELS = {
    Mode.EXAM: "Exam: feedback at the end",
    Mode.PRACTICE: "Practice: feedback after each item",
}
MOCK_SIZES = (3, 5, 8, 10)
MOCK_LIMITS = (60, 120, 180, 300)

# ---- request and response models ----------------------------------------------------------


class QuizIn(BaseModel):
    kind: AttemptKind = Field(AttemptKind.QUIZ, description="A timed quiz or a mock interview")
    size: int = Field(
        10,
        ge=1,
        le=20,
        description="Quiz: 5, 10 or 20 items. Mock: 1-20 questions (ignored when `cards` is given)",
    )
    time_limit_s: int | None = Field(
        None,
        description=(
            "Seconds per item (quiz: default 60, 5-600; the deadline is size × this) or per "
            "question (mock: default 120, 30-900)"
        ),
    )
    kinds: list[Literal["mcq", "true_false", "computed"]] = Field(
        default_factory=lambda: ["mcq", "true_false", "computed"],
        max_length=3,
        description="Quiz: which kinds of item",
    )
    topics: list[Annotated[str, Field(max_length=80)]] = Field(
        default_factory=list, max_length=100, description="Card tags; empty: every topic"
    )
    mode: Mode = Field(
        Mode.EXAM, description="Quiz: exam (feedback at the end) or practice (after each item)"
    )
    cards: list[Annotated[str, Field(max_length=80)]] = Field(
        default_factory=list, max_length=20, description="Mock: these cards' questions, in order"
    )


class AnswerIn(BaseModel):
    item: int = Field(ge=0, le=999, description="The item's index in the attempt")
    answer: StrictBool | StrictInt | StrictFloat | StrictStr = Field(
        description=(
            "Multiple choice: the option's index as shown (0-3); true/false: a boolean; "
            "computed: a number (or an option index); mock: your answer as text"
        )
    )


class ChecklistIn(BaseModel):
    item: int = Field(ge=0, le=999)
    ticked: list[int] = Field(max_length=50, description="Indices of the key points you covered")


class CardLinkOut(BaseModel):
    slug: str
    number: int
    question: RichText
    url: str
    lab_url: str


class OptionOut(BaseModel):
    index: int
    text: RichText


class FeedbackOut(BaseModel):
    """Shown once an item is answered (practice) or the attempt is finished (exam)."""

    outcome: str = Field(description="correct, wrong, timed_out, skipped or answered (mock)")
    correct: bool | None = Field(description="None for a mock question (you score it)")
    expected: bool | int | float | None = Field(
        description="The right answer: option index, true/false or the number"
    )
    tolerance: float | None
    explanation: RichText | None
    option_whys: list[RichText] = Field(description="Why each option is right or wrong, in order")
    model_answer: RichText | None
    key_points: list[RichText]
    ticked: list[int]
    self_score: float | None
    card: CardLinkOut | None


class ItemOut(BaseModel):
    index: int
    kind: str = Field(description="mcq, true_false, computed or mock")
    answer_type: str = Field(description="choice, boolean, number or text")
    prompt: RichText
    options: list[OptionOut]
    tolerance: float | None = Field(description="Numbers: accepted within ± this")
    state: str = Field(description="open, answered, timed_out or skipped")
    given: bool | int | float | str | None = Field(description="Your answer, once given")
    feedback: FeedbackOut | None


class ResultOut(BaseModel):
    score: float = Field(description="0..1: share correct (quiz) or of key points ticked (mock)")
    correct: int
    wrong: int
    timed_out: int
    skipped: int
    total: int
    duration_s: float


class QuizOut(BaseModel):
    id: int
    kind: str
    mode: str
    status: str = Field(description="in_progress, review (mock: tick key points) or finished")
    started_at: datetime
    deadline: datetime = Field(description="Fixed by the server when the attempt started")
    remaining_s: float = Field(description="Seconds left before the deadline, by the server")
    finished_at: datetime | None
    time_limit_s: int = Field(description="Seconds per item (quiz) or per question (mock)")
    size: int
    kinds: list[str]
    topics: list[str]
    current: int | None = Field(description="The open item (mock: the question on the clock)")
    current_deadline: datetime | None = Field(description="Mock: the open question's deadline")
    current_remaining_s: float | None
    items: list[ItemOut]
    result: ResultOut | None
    url: str
    results_url: str


class AnswerOut(BaseModel):
    item: int
    feedback: FeedbackOut | None = Field(description="Practice and mock review only")
    attempt: QuizOut


class AttemptSummaryOut(BaseModel):
    id: int
    kind: str
    mode: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    duration_s: float
    size: int
    score: float | None
    correct: int | None
    total: int
    url: str


# ---- turning views into responses ---------------------------------------------------------


def _rich(text: Text | None) -> RichText | None:
    return None if text is None else RichText.of(text)


def card_link(deck: Deck, slug: str | None) -> CardLinkOut | None:
    card = deck.get(slug) if slug else None
    if card is None:
        return None
    return CardLinkOut(
        slug=card.slug,
        number=card.number,
        question=RichText.of(card.question),
        url=f"/cards/{card.slug}",
        lab_url=lab_url(card),
    )


def feedback_out(state: quizzes.ItemState, deck: Deck) -> FeedbackOut:
    item = state.item
    is_tf = item.answer_type == AnswerType.BOOLEAN
    return FeedbackOut(
        outcome=state.outcome.status,
        correct=None
        if item.kind == quiz.Kind.MOCK
        else state.outcome.status == OutcomeStatus.CORRECT,
        expected=item.correct,
        tolerance=item.tolerance,
        explanation=_rich(item.explanation),
        option_whys=[] if is_tf else [RichText.of(c.why) for c in item.choices if c.why],
        model_answer=_rich(item.model_answer),
        key_points=[RichText.of(p) for p in item.key_points],
        ticked=list(state.ticked),
        self_score=state.row.self_score if state.row is not None else None,
        card=card_link(deck, item.card),
    )


def item_out(state: quizzes.ItemState, deck: Deck) -> ItemOut:
    item = state.item
    shown_state = state.outcome.status
    if not state.revealed and shown_state in (OutcomeStatus.CORRECT, OutcomeStatus.WRONG):
        shown_state = OutcomeStatus.ANSWERED  # correctness stays hidden until it may be shown
    return ItemOut(
        index=state.index,
        kind=item.kind.value,
        answer_type=item.answer_type.value,
        prompt=RichText.of(item.prompt),
        options=[OptionOut(index=i, text=RichText.of(c.text)) for i, c in enumerate(item.choices)],
        tolerance=item.tolerance,
        state=shown_state,
        given=state.given if isinstance(state.given, bool | int | float | str) else None,
        feedback=feedback_out(state, deck) if state.revealed else None,
    )


def quiz_out(view: View, deck: Deck) -> QuizOut:
    a = view.attempt
    result = None
    if view.status == AttemptStatus.FINISHED and view.score is not None:
        s = view.score
        result = ResultOut(
            score=a.score or 0.0,
            correct=a.correct,
            wrong=s.wrong,
            timed_out=s.timed_out,
            skipped=s.skipped,
            total=s.total,
            duration_s=round(view.duration_s, 1),
        )
    return QuizOut(
        id=a.id,
        kind=a.kind,
        mode=a.mode,
        status=view.status,
        started_at=a.started_at,
        deadline=a.deadline,
        remaining_s=round(view.remaining_s, 3),
        finished_at=a.finished_at,
        time_limit_s=int(view.settings["time_limit_s"]),
        size=len(view.items),
        kinds=view.settings.get("kinds", []),
        topics=view.settings.get("topics", []),
        current=view.current,
        current_deadline=view.current_deadline,
        current_remaining_s=(
            None if view.current_remaining_s is None else round(view.current_remaining_s, 3)
        ),
        items=[item_out(s, deck) for s in view.items],
        result=result,
        url=f"/quiz/{a.id}",
        results_url=f"/quiz/{a.id}/results",
    )


def summary_out(s: quizzes.Summary) -> AttemptSummaryOut:
    a = s.attempt
    finished = s.status == AttemptStatus.FINISHED
    return AttemptSummaryOut(
        id=a.id,
        kind=a.kind,
        mode=a.mode,
        status=s.status,
        started_at=a.started_at,
        finished_at=a.finished_at,
        duration_s=round(s.duration_s, 1),
        size=a.total,
        score=a.score if finished else None,
        correct=a.correct if finished else None,
        total=a.total,
        url=f"/quiz/{a.id}/results" if finished else f"/quiz/{a.id}",
    )
