"""Timed quizzes and mock interviews: the builder pages, the attempt, results, history, and the
JSON API under /api/quizzes (a mock interview is an attempt with kind "mock")."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from app.content.model import Deck, Text
from app.deps import CurrentUser, DeckDep, NowDep, SessionDep, SettingsDep, TemplatesDep
from app.schemas import ErrorOut, RichText, RowId, lab_url
from app.services import quizzes
from app.services.quizzes import StartRequest, View
from app.study import quiz
from app.study.quiz import AnswerType, AttemptKind, AttemptStatus, Mode, OutcomeStatus

pages = APIRouter(tags=["pages"], include_in_schema=False)
api = APIRouter(prefix="/api/quizzes", tags=["quizzes"])

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


ERRORS = {404: {"model": ErrorOut}, 409: {"model": ErrorOut}, 422: {"model": ErrorOut}}

# ---- JSON API -----------------------------------------------------------------------------


@api.post("", response_model=QuizOut, status_code=201, responses=ERRORS)
def create_attempt(
    body: QuizIn, deck: DeckDep, user: CurrentUser, session: SessionDep, now: NowDep
) -> QuizOut:
    """Start a quiz or a mock interview. The server fixes its deadline now; items come without
    answers, options already in this attempt's shuffled order."""
    request = StartRequest(
        kind=body.kind,
        size=body.size,
        time_limit_s=body.time_limit_s,
        kinds=tuple(body.kinds),
        topics=tuple(body.topics),
        mode=body.mode,
        cards=tuple(body.cards),
    )
    view = quizzes.start(session, user, deck, request, now)
    return quiz_out(view, deck)


@api.get("", response_model=list[AttemptSummaryOut])
def list_attempts(
    deck: DeckDep,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    limit: Annotated[int, Query(ge=1, le=quizzes.HISTORY_LIMIT)] = 50,
):
    """This user's quizzes and mock interviews, newest first, with score, mode and duration."""
    rows = quizzes.history(session, user, deck, now, settings.fsrs_fuzz, limit)
    return [summary_out(s) for s in rows]


@api.get("/{attempt_id}", response_model=QuizOut, responses=ERRORS)
def get_attempt(
    attempt_id: RowId,
    deck: DeckDep,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
):
    """The attempt's state without answers while it runs; results with explanations once it is
    finished (past the deadline it is finished first, open items timed out)."""
    view = quizzes.get(session, user, deck, attempt_id, now, settings.fsrs_fuzz)
    return quiz_out(view, deck)


@api.post(
    "/{attempt_id}/answers",
    response_model=AnswerOut,
    responses={**ERRORS, 410: {"model": ErrorOut}},
)
def post_answer(
    attempt_id: RowId,
    body: AnswerIn,
    deck: DeckDep,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
):
    """Answer one item. After the deadline: 410 and the item is recorded as timed out. A second
    answer to the same item: 409. In practice mode the feedback comes back at once."""
    view = quizzes.answer(
        session,
        user,
        deck,
        attempt_id,
        body.item,
        body.answer,
        now,
        settings.fsrs_fuzz,
    )
    state = view.items[body.item]
    feedback = feedback_out(state, deck) if state.revealed else None
    return AnswerOut(item=body.item, feedback=feedback, attempt=quiz_out(view, deck))


@api.put("/{attempt_id}/checklist", response_model=QuizOut, responses=ERRORS)
def put_checklist(
    attempt_id: RowId,
    body: ChecklistIn,
    deck: DeckDep,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
):
    """Mock interview: the key points you covered in one answer (replaces earlier ticks)."""
    view = quizzes.tick(session, user, deck, attempt_id, body.item, body.ticked, now)
    return quiz_out(view, deck)


@api.post("/{attempt_id}/finish", response_model=QuizOut, responses=ERRORS)
def finish_attempt(
    attempt_id: RowId,
    deck: DeckDep,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
):
    """Finish now: open items count as skipped, the score is kept, and every card with a wrong
    or timed-out item is due for review now. Finishing again changes nothing."""
    view = quizzes.finish(session, user, deck, attempt_id, now, settings.fsrs_fuzz)
    return quiz_out(view, deck)


# ---- pages --------------------------------------------------------------------------------


def _topic_counts(deck: Deck) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for card in deck:
        for tag in card.tags:
            counts[tag] = counts.get(tag, 0) + len(card.quiz)
    return sorted(counts.items())


def _in_progress(
    session, user, deck, settings, kind: AttemptKind, now: datetime
) -> list[quizzes.Summary]:
    rows = quizzes.history(session, user, deck, now, settings.fsrs_fuzz, 20)
    return [s for s in rows if s.status != AttemptStatus.FINISHED and s.attempt.kind == kind]


def _builder(request, templates, session, user, deck, settings, values, errors, now):
    context = {
        "values": values,
        "errors": errors,
        "sizes": quiz.QUIZ_SIZES,
        "kind_labels": KIND_LABELS,
        "mode_labels": MODE_LABELS,
        "topics": _topic_counts(deck),
        "min_limit": quiz.MIN_ITEM_SECONDS,
        "max_limit": quiz.MAX_ITEM_SECONDS,
        "open_attempts": _in_progress(session, user, deck, settings, AttemptKind.QUIZ, now),
    }
    return templates.TemplateResponse(
        request, "quiz/builder.html", context, status_code=422 if errors else 200
    )


QUIZ_DEFAULTS = {
    "size": 10,
    "time_limit_s": quiz.DEFAULT_ITEM_SECONDS,
    "kinds": ["mcq", "true_false", "computed"],
    "topics": [],
    "mode": Mode.EXAM,
}


@pages.get("/quiz", response_class=HTMLResponse)
def builder_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    deck: DeckDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    now: NowDep,
):
    return _builder(request, templates, session, user, deck, settings, QUIZ_DEFAULTS, {}, now)


def _int(raw: str, field: str, errors: dict[str, str]) -> int | None:
    try:
        return int(raw)
    except ValueError:
        errors[field] = "must be a whole number"
        return None


@pages.post("/quiz", response_class=HTMLResponse)
def start_quiz_form(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    deck: DeckDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    now: NowDep,
    size: Annotated[str, Form()] = "10",
    time_limit_s: Annotated[str, Form()] = "60",
    kinds: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI reads the default, never mutates it
    topics: Annotated[list[str], Form()] = [],  # noqa: B006
    mode: Annotated[str, Form()] = Mode.EXAM,
):
    values = {
        "size": size,
        "time_limit_s": time_limit_s,
        "kinds": kinds,
        "topics": topics,
        "mode": mode,
    }
    errors: dict[str, str] = {}
    n = _int(size, "size", errors)
    limit = _int(time_limit_s, "time_limit_s", errors)
    if not errors:
        request_ = StartRequest(AttemptKind.QUIZ, n, limit, tuple(kinds), tuple(topics), mode)
        try:
            view = quizzes.start(session, user, deck, request_, now)
        except quizzes.InputError as exc:
            errors[exc.field] = exc.message
        else:
            return RedirectResponse(f"/quiz/{view.attempt.id}", status_code=303)
    return _builder(request, templates, session, user, deck, settings, values, errors, now)


@pages.get("/quiz/history", response_class=HTMLResponse)
def history_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    deck: DeckDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    now: NowDep,
):
    rows = quizzes.history(session, user, deck, now, settings.fsrs_fuzz)
    context = {"rows": rows, "trend": quizzes.trend(session, user), "now": now}
    return templates.TemplateResponse(request, "quiz/history.html", context)


@pages.get("/quiz/{attempt_id}", response_class=HTMLResponse)
def attempt_page(
    attempt_id: RowId,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    deck: DeckDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    now: NowDep,
):
    """The running attempt. The page carries no item and no answer: its script reads the
    attempt from the API, so nothing correct is in the HTML."""
    view = _get_view(session, user, deck, attempt_id, settings, now)
    if view.status == AttemptStatus.FINISHED:
        return RedirectResponse(f"/quiz/{attempt_id}/results", status_code=303)
    a = view.attempt
    if a.kind == AttemptKind.MOCK and view.status == AttemptStatus.REVIEW:
        context = {"view": view, "deck": deck, "errors": {}}
        return templates.TemplateResponse(request, "quiz/mock_review.html", context)
    name = "quiz/mock.html" if a.kind == AttemptKind.MOCK else "quiz/attempt.html"
    return templates.TemplateResponse(request, name, {"view": view})


def _get_view(session, user, deck, attempt_id: int, settings, now: datetime) -> View:
    return quizzes.get(session, user, deck, attempt_id, now, settings.fsrs_fuzz)


@pages.post("/quiz/{attempt_id}/checklist", response_class=HTMLResponse)
async def score_mock_form(
    attempt_id: RowId,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    deck: DeckDep,
    settings: SettingsDep,
    now: NowDep,
):
    """The mock review form: every question's ticked key points at once, then finish."""
    form = await request.form()
    view = _get_view(session, user, deck, attempt_id, settings, now)
    if view.status == AttemptStatus.REVIEW:
        for state in view.items:
            raw = form.getlist(f"ticked-{state.index}")
            ticked = [int(v) for v in raw if isinstance(v, str) and v.isdigit()]
            quizzes.tick(session, user, deck, attempt_id, state.index, ticked, now)
    quizzes.finish(session, user, deck, attempt_id, now, settings.fsrs_fuzz)
    return RedirectResponse(f"/quiz/{attempt_id}/results", status_code=303)


@pages.post("/quiz/{attempt_id}/finish", response_class=HTMLResponse)
def finish_form(
    attempt_id: RowId,
    user: CurrentUser,
    session: SessionDep,
    deck: DeckDep,
    settings: SettingsDep,
    now: NowDep,
):
    """Finish from a plain form (the attempt page works this way without its script too)."""
    quizzes.finish(session, user, deck, attempt_id, now, settings.fsrs_fuzz)
    return RedirectResponse(f"/quiz/{attempt_id}/results", status_code=303)


@pages.get("/quiz/{attempt_id}/results", response_class=HTMLResponse)
def results_page(
    attempt_id: RowId,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    deck: DeckDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    now: NowDep,
):
    view = _get_view(session, user, deck, attempt_id, settings, now)
    if view.status != AttemptStatus.FINISHED:
        return RedirectResponse(f"/quiz/{attempt_id}", status_code=303)
    out = quiz_out(view, deck)
    name = (
        "quiz/mock_results.html" if view.attempt.kind == AttemptKind.MOCK else "quiz/results.html"
    )
    return templates.TemplateResponse(request, name, {"view": view, "out": out})


def _mock_builder(request, templates, session, user, deck, settings, values, errors, now):
    context = {
        "values": values,
        "errors": errors,
        "sizes": MOCK_SIZES,
        "limits": MOCK_LIMITS,
        "topics": _topic_counts(deck),
        "cards": list(deck),
        "open_attempts": _in_progress(session, user, deck, settings, AttemptKind.MOCK, now),
    }
    return templates.TemplateResponse(
        request, "quiz/mock_builder.html", context, status_code=422 if errors else 200
    )


MOCK_DEFAULTS = {
    "size": 3,
    "time_limit_s": quiz.DEFAULT_MOCK_SECONDS,
    "topics": [],
    "cards": [],
}


@pages.get("/mock", response_class=HTMLResponse)
def mock_builder_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    deck: DeckDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    now: NowDep,
):
    return _mock_builder(request, templates, session, user, deck, settings, MOCK_DEFAULTS, {}, now)


@pages.post("/mock", response_class=HTMLResponse)
def start_mock_form(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    deck: DeckDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    now: NowDep,
    size: Annotated[str, Form()] = "3",
    time_limit_s: Annotated[str, Form()] = "120",
    topics: Annotated[list[str], Form()] = [],  # noqa: B006
    cards: Annotated[list[str], Form()] = [],  # noqa: B006
):
    values = {"size": size, "time_limit_s": time_limit_s, "topics": topics, "cards": cards}
    errors: dict[str, str] = {}
    n = _int(size, "size", errors)
    limit = _int(time_limit_s, "time_limit_s", errors)
    if not errors:
        request_ = StartRequest(
            AttemptKind.MOCK, n, limit, (), tuple(topics), Mode.EXAM, tuple(c for c in cards if c)
        )
        try:
            view = quizzes.start(session, user, deck, request_, now)
        except quizzes.InputError as exc:
            errors[exc.field] = exc.message
        else:
            return RedirectResponse(f"/quiz/{view.attempt.id}", status_code=303)
    return _mock_builder(request, templates, session, user, deck, settings, values, errors, now)
