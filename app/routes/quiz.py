"""Timed quizzes and mock interviews: the builder pages, the attempt, results, history, and the
JSON API under /api/quizzes (a mock interview is an attempt with kind "mock").

Thin handlers over one flow: every handler gets a `quizzes.Context` (learner, session, deck,
now) from `QuizCtx`, the two builder pages share `Builder`, and the models and mappers live in
`quiz_schemas.py`."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from app.content.model import Deck
from app.deps import CurrentUser, DeckDep, NowDep, SessionDep, SettingsDep, TemplatesDep
from app.routes.quiz_schemas import (
    KIND_LABELS,
    MOCK_LIMITS,
    MOCK_SIZES,
    MODE_LABELS,
    AnswerIn,
    AnswerOut,
    AttemptSummaryOut,
    ChecklistIn,
    QuizIn,
    QuizOut,
    feedback_out,
    quiz_out,
    summary_out,
)
from app.schemas import ErrorOut, RowId
from app.services import quizzes
from app.services.quizzes import StartRequest
from app.study import quiz, recall
from app.study.quiz import AttemptKind, AttemptStatus, Mode

pages = APIRouter(tags=["pages"], include_in_schema=False)
api = APIRouter(prefix="/api/quizzes", tags=["quizzes"])


def quiz_context(
    user: CurrentUser, session: SessionDep, deck: DeckDep, settings: SettingsDep, now: NowDep
) -> quizzes.Context:
    return quizzes.Context(session, user, deck, now, fuzz=settings.fsrs_fuzz)


QuizCtx = Annotated[quizzes.Context, Depends(quiz_context)]
ERRORS = {404: {"model": ErrorOut}, 409: {"model": ErrorOut}, 422: {"model": ErrorOut}}

# ---- JSON API -----------------------------------------------------------------------------


@api.post("", response_model=QuizOut, status_code=201, responses=ERRORS)
def create_attempt(body: QuizIn, ctx: QuizCtx) -> QuizOut:
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
    return quiz_out(quizzes.start(ctx, request), ctx.deck)


@api.get("", response_model=list[AttemptSummaryOut])
def list_attempts(ctx: QuizCtx, limit: Annotated[int, Query(ge=1, le=quizzes.HISTORY_LIMIT)] = 50):
    """This user's quizzes and mock interviews, newest first, with score, mode and duration."""
    return [summary_out(s) for s in quizzes.history(ctx, limit=limit)]


@api.get("/{attempt_id}", response_model=QuizOut, responses=ERRORS)
def get_attempt(attempt_id: RowId, ctx: QuizCtx):
    """The attempt's state without answers while it runs; results with explanations once it is
    finished (past the deadline it is finished first, open items timed out)."""
    return quiz_out(quizzes.get(ctx, attempt_id), ctx.deck)


@api.post(
    "/{attempt_id}/answers",
    response_model=AnswerOut,
    responses={**ERRORS, 410: {"model": ErrorOut}},
)
def post_answer(attempt_id: RowId, body: AnswerIn, ctx: QuizCtx):
    """Answer one item. After the deadline: 410 and the item is recorded as timed out. A second
    answer to the same item: 409. In practice mode the feedback comes back at once."""
    view = quizzes.answer(ctx, attempt_id, index=body.item, raw=body.answer)
    state = view.items[body.item]
    feedback = feedback_out(state, ctx.deck) if state.revealed else None
    return AnswerOut(item=body.item, feedback=feedback, attempt=quiz_out(view, ctx.deck))


@api.put("/{attempt_id}/checklist", response_model=QuizOut, responses=ERRORS)
def put_checklist(attempt_id: RowId, body: ChecklistIn, ctx: QuizCtx):
    """Mock interview: the key points you covered in one answer (replaces earlier ticks)."""
    view = quizzes.tick(ctx, attempt_id, index=body.item, ticked=body.ticked)
    return quiz_out(view, ctx.deck)


@api.post("/{attempt_id}/finish", response_model=QuizOut, responses=ERRORS)
def finish_attempt(attempt_id: RowId, ctx: QuizCtx):
    """Finish now: open items count as skipped, the score is kept, and every card with a wrong
    or timed-out item is due for review now. Finishing again changes nothing."""
    return quiz_out(quizzes.finish(ctx, attempt_id), ctx.deck)


# ---- pages: one builder flow for quizzes and mock interviews ------------------------------


@dataclass(frozen=True, slots=True)
class Builder:
    """A builder page: its kind, template, form defaults and the choices it offers."""

    kind: AttemptKind
    template: str
    defaults: dict[str, Any]
    choices: Callable[[Deck], dict[str, Any]] = field(default=lambda deck: {})


QUIZ_BUILDER = Builder(
    AttemptKind.QUIZ,
    "quiz/builder.html",
    {
        "size": 10,
        "time_limit_s": quiz.DEFAULT_ITEM_SECONDS,
        "kinds": ["mcq", "true_false", "computed"],
        "topics": [],
        "mode": Mode.EXAM,
    },
    lambda deck: {
        "sizes": quiz.QUIZ_SIZES,
        "kind_labels": KIND_LABELS,
        "mode_labels": MODE_LABELS,
        "min_limit": quiz.MIN_ITEM_SECONDS,
        "max_limit": quiz.MAX_ITEM_SECONDS,
        "computed_practice": quizzes.COMPUTED_PRACTICE,
        "computed_templates": len(quiz.TEMPLATES),
    },
)
MOCK_BUILDER = Builder(
    AttemptKind.MOCK,
    "quiz/mock_builder.html",
    {"size": 3, "time_limit_s": quiz.DEFAULT_MOCK_SECONDS, "topics": [], "cards": []},
    lambda deck: {"sizes": MOCK_SIZES, "limits": MOCK_LIMITS, "cards": list(deck)},
)


def _topic_counts(deck: Deck) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for card in deck:
        for tag in card.tags:
            counts[tag] = counts.get(tag, 0) + len(card.quiz)
    return sorted(counts.items())


def _in_progress(ctx: quizzes.Context, kind: AttemptKind) -> list[quizzes.Summary]:
    rows = quizzes.history(ctx, limit=20)
    return [s for s in rows if s.status != AttemptStatus.FINISHED and s.attempt.kind == kind]


def _builder_page(
    builder: Builder,
    ctx: quizzes.Context,
    request: Request,
    templates,
    values: dict[str, Any],
    errors: dict[str, str],
    practice_error: str | None = None,
):
    context = {
        "values": values,
        "errors": errors,
        "practice_error": practice_error,
        "topics": _topic_counts(ctx.deck),
        **builder.choices(ctx.deck),
        "open_attempts": _in_progress(ctx, builder.kind),
    }
    status = 422 if errors else 409 if practice_error else 200
    return templates.TemplateResponse(request, builder.template, context, status_code=status)


def _int(raw: str, name: str, errors: dict[str, str]) -> int | None:
    try:
        return int(raw)
    except ValueError:
        errors[name] = "must be a whole number"
        return None


def _start_from_form(
    builder: Builder,
    ctx: quizzes.Context,
    request: Request,
    templates,
    values: dict[str, Any],
    make: Callable[[int, int], StartRequest],
):
    """Start from a builder form (size and time limit as typed) or show it again with errors."""
    errors: dict[str, str] = {}
    n = _int(values["size"], "size", errors)
    limit = _int(values["time_limit_s"], "time_limit_s", errors)
    if not errors:
        try:
            view = quizzes.start(ctx, make(n, limit))
        except quizzes.InputError as exc:
            errors[exc.field] = exc.message
        else:
            return RedirectResponse(f"/quiz/{view.attempt.id}", status_code=303)
    return _builder_page(builder, ctx, request, templates, values, errors)


@pages.get("/quiz", response_class=HTMLResponse)
def builder_page(request: Request, ctx: QuizCtx, templates: TemplatesDep):
    return _builder_page(QUIZ_BUILDER, ctx, request, templates, QUIZ_BUILDER.defaults, {})


@pages.post("/quiz", response_class=HTMLResponse)
def start_quiz_form(
    request: Request,
    ctx: QuizCtx,
    templates: TemplatesDep,
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
    return _start_from_form(
        QUIZ_BUILDER,
        ctx,
        request,
        templates,
        values,
        lambda n, limit: StartRequest(
            AttemptKind.QUIZ, n, limit, tuple(kinds), tuple(topics), mode
        ),
    )


@pages.get("/mock", response_class=HTMLResponse)
def mock_builder_page(request: Request, ctx: QuizCtx, templates: TemplatesDep):
    return _builder_page(MOCK_BUILDER, ctx, request, templates, MOCK_BUILDER.defaults, {})


@pages.post("/mock", response_class=HTMLResponse)
def start_mock_form(
    request: Request,
    ctx: QuizCtx,
    templates: TemplatesDep,
    size: Annotated[str, Form()] = "3",
    time_limit_s: Annotated[str, Form()] = "120",
    topics: Annotated[list[str], Form()] = [],  # noqa: B006
    cards: Annotated[list[str], Form()] = [],  # noqa: B006
):
    values = {"size": size, "time_limit_s": time_limit_s, "topics": topics, "cards": cards}
    chosen = tuple(c for c in cards if c)
    return _start_from_form(
        MOCK_BUILDER,
        ctx,
        request,
        templates,
        values,
        lambda n, limit: StartRequest(
            AttemptKind.MOCK, n, limit, (), tuple(topics), Mode.EXAM, chosen
        ),
    )


# ---- pages: the attempt, its results, the history -----------------------------------------


@pages.post("/quiz/practice-computed", response_class=HTMLResponse)
def start_computed_practice(request: Request, ctx: QuizCtx, templates: TemplatesDep):
    """ "Practice: computed": a practice quiz of computed items only, from fresh seeds. Refused
    only by the per-learner quotas, whose message is shown beside the button."""
    try:
        view = quizzes.start(ctx, quizzes.COMPUTED_PRACTICE)
    except quizzes.Refused as exc:
        values = QUIZ_BUILDER.defaults
        return _builder_page(QUIZ_BUILDER, ctx, request, templates, values, {}, exc.message)
    return RedirectResponse(f"/quiz/{view.attempt.id}", status_code=303)


@pages.get("/quiz/history", response_class=HTMLResponse)
def history_page(request: Request, ctx: QuizCtx, templates: TemplatesDep):
    rows = quizzes.history(ctx)
    context = {"rows": rows, "trend": quizzes.trend(ctx.session, ctx.user), "now": ctx.now}
    return templates.TemplateResponse(request, "quiz/history.html", context)


@pages.get("/quiz/{attempt_id}", response_class=HTMLResponse)
def attempt_page(attempt_id: RowId, request: Request, ctx: QuizCtx, templates: TemplatesDep):
    """The running attempt. The page carries no item and no answer: its script reads the
    attempt from the API, so nothing correct is in the HTML."""
    view = quizzes.get(ctx, attempt_id)
    if view.status == AttemptStatus.FINISHED:
        return RedirectResponse(f"/quiz/{attempt_id}/results", status_code=303)
    mock = view.attempt.kind == AttemptKind.MOCK
    if mock and view.status == AttemptStatus.REVIEW:
        # The checklist starts ticked where the recall detector heard a key point; the learner
        # confirms or changes every tick before scoring.
        context = {"view": view, "deck": ctx.deck, "errors": {}, "heard": _heard(view, ctx.deck)}
        return templates.TemplateResponse(request, "quiz/mock_review.html", context)
    name = "quiz/mock.html" if mock else "quiz/attempt.html"
    return templates.TemplateResponse(request, name, {"view": view})


def _heard(view, deck) -> dict[int, recall.RecallResult]:
    """Per mock question answered in text: which key points the recall detector heard in it."""
    heard = {}
    for state in view.items:
        card = deck.get(state.item.card) if state.item.card else None
        if card is not None and card.cues and isinstance(state.given, str) and state.given:
            heard[state.index] = recall.check(card.cues, state.given)
    return heard


KEY_POINT = re.compile(r"[0-9]{1,3}")


def _key_points(form, field: str) -> list[int]:
    """The key point numbers ticked in one form field. Only ASCII digits count: str.isdigit()
    also accepts "²", which int() then refuses."""
    values = form.getlist(field)
    if any(not isinstance(v, str) or not KEY_POINT.fullmatch(v) for v in values):
        raise quizzes.InputError(field, "key points are ticked by their number: 0, 1, 2...")
    return [int(v) for v in values]


@pages.post("/quiz/{attempt_id}/checklist", response_class=HTMLResponse)
async def score_mock_form(attempt_id: RowId, request: Request, ctx: QuizCtx):
    """The mock review form: every question's ticked key points at once, then finish."""
    form = await request.form()

    def score() -> None:  # the database work, in a thread: never on the event loop
        view = quizzes.get(ctx, attempt_id)
        if view.status == AttemptStatus.REVIEW:
            # Every field is read before any is stored: a bad one changes nothing.
            ticks = [(s.index, _key_points(form, f"ticked-{s.index}")) for s in view.items]
            for index, ticked in ticks:
                quizzes.tick(ctx, attempt_id, index=index, ticked=ticked)
        quizzes.finish(ctx, attempt_id)

    await run_in_threadpool(score)
    return RedirectResponse(f"/quiz/{attempt_id}/results", status_code=303)


@pages.post("/quiz/{attempt_id}/finish", response_class=HTMLResponse)
def finish_form(attempt_id: RowId, ctx: QuizCtx):
    """Finish from a plain form (the attempt page works this way without its script too)."""
    quizzes.finish(ctx, attempt_id)
    return RedirectResponse(f"/quiz/{attempt_id}/results", status_code=303)


@pages.get("/quiz/{attempt_id}/results", response_class=HTMLResponse)
def results_page(attempt_id: RowId, request: Request, ctx: QuizCtx, templates: TemplatesDep):
    view = quizzes.get(ctx, attempt_id)
    if view.status != AttemptStatus.FINISHED:
        return RedirectResponse(f"/quiz/{attempt_id}", status_code=303)
    mock = view.attempt.kind == AttemptKind.MOCK
    name = "quiz/mock_results.html" if mock else "quiz/results.html"
    context = {"view": view, "out": quiz_out(view, ctx.deck)}
    if mock:
        context["heard"] = _heard(view, ctx.deck)
    return templates.TemplateResponse(request, name, context)
