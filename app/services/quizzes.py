"""Quiz and mock-interview use cases: start, answer, tick key points, finish, results, history.

The server owns the clock: an attempt's deadline is fixed when it starts, and every use case
first settles what time has decided (a quiz past its deadline is finished with its open items
timed out; a mock question past its window is closed as timed out). Each write is one
transaction; the unique (attempt, item) row makes a second answer fail instead of overwriting.
Mistakes go back to review through `reviews.record_review` with an idempotency key per card and
attempt, so finishing twice records them once.
"""

import json
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import errors
from app.content.model import Deck
from app.models import CardState, QuizAnswer, QuizAttempt, User
from app.services import marks, reviews
from app.study import quiz
from app.study.quiz import (
    AnswerError,
    AnswerType,
    AttemptKind,
    AttemptStatus,
    BuildError,
    Item,
    Kind,
    Mode,
    Outcome,
    OutcomeStatus,
    Window,
)
from app.study.scheduling import Rating

log = logging.getLogger("app")

MAX_TRIES = 5
HISTORY_LIMIT = 200
# Per-user quotas, so one cookie cannot fill the database: attempts whose clock is running at
# once, and attempts started in any 24 hours.
MAX_OPEN_ATTEMPTS = 5
MAX_STARTS_PER_DAY = 200


class NotFound(errors.NotFound):
    """No such attempt for this user (another user's attempt is not found either)."""


class Refused(errors.Conflict):
    """A request that conflicts with the attempt's state: answered already, finished..."""


class TooLate(errors.Gone):
    """An answer after the deadline: not counted, the item is recorded as timed out."""


class TooMany(errors.DomainError):
    """A per-user quota is full; `retry_after` says when a slot frees."""

    status = 429


class InputError(errors.InvalidInput):
    """Bad input; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


@dataclass(frozen=True, slots=True)
class StartRequest:
    kind: AttemptKind = AttemptKind.QUIZ
    size: int = 10
    time_limit_s: int | None = None  # per item (quiz) or per question (mock); None: default
    kinds: tuple[str, ...] = tuple(k.value for k in quiz.QUIZ_KINDS)
    topics: tuple[str, ...] = ()
    mode: Mode = Mode.EXAM  # quizzes only
    cards: tuple[str, ...] = ()  # mock: these questions, in this order


# "Practice: computed" on /quiz: ten items worked out by the engine from fresh seeds, feedback
# after each; the time per item allows for a calculator.
COMPUTED_PRACTICE = StartRequest(
    kind=AttemptKind.QUIZ,
    size=10,
    time_limit_s=quiz.COMPUTED_PRACTICE_SECONDS,
    kinds=(Kind.COMPUTED.value,),
    mode=Mode.PRACTICE,
)


@dataclass(frozen=True, slots=True)
class Context:
    """What every use case works with: one learner, their session and deck, at one moment."""

    session: Session
    user: User
    deck: Deck
    now: datetime
    fuzz: bool = True  # FSRS fuzz for the reviews that quiz mistakes record


@dataclass(frozen=True, slots=True)
class ItemState:
    index: int
    item: Item
    row: QuizAnswer | None
    given: object  # the learner's answer (text for a mock question), None when none
    ticked: tuple[int, ...]  # mock: key points ticked
    outcome: Outcome
    revealed: bool  # correctness and explanations may be shown
    window: Window | None = None  # mock: this question's time window


@dataclass(frozen=True, slots=True)
class View:
    attempt: QuizAttempt
    items: tuple[ItemState, ...]
    status: AttemptStatus
    now: datetime
    settings: dict
    current: int | None = None  # the open item (first unanswered; mock: the open question)
    current_deadline: datetime | None = None  # mock: the open question's deadline
    score: quiz.Score | None = None  # once finished
    mock_score: float | None = None

    @property
    def remaining_s(self) -> float:
        if self.status != AttemptStatus.IN_PROGRESS:
            return 0.0
        return max(0.0, (self.attempt.deadline - self.now).total_seconds())

    @property
    def current_remaining_s(self) -> float | None:
        if self.current_deadline is None:
            return None
        return max(0.0, (self.current_deadline - self.now).total_seconds())

    @property
    def duration_s(self) -> float:
        return duration_s(self.attempt, self.now)


@dataclass(frozen=True, slots=True)
class Summary:
    attempt: QuizAttempt
    status: AttemptStatus
    duration_s: float
    settings: dict = field(default_factory=dict)


# ---- reading -----------------------------------------------------------------------------


def _own(session: Session, user: User, attempt_id: int) -> QuizAttempt:
    attempt = session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound(f"No quiz attempt {attempt_id} is yours.")
    return attempt


def _items(attempt: QuizAttempt, deck: Deck) -> tuple[Item, ...]:
    """The attempt's items rebuilt from the deck (an item the deck lost shows a notice)."""
    out = []
    for ref in json.loads(attempt.items):
        try:
            out.append(quiz.resolve(ref, deck))
        except quiz.RefError:
            out.append(quiz.removed_item(ref))
    return tuple(out)


def _refs(attempt: QuizAttempt) -> list:
    """The stored references, unresolved: enough where only their number matters."""
    return json.loads(attempt.items)


def _answers(session: Session, attempt_id: int) -> dict[int, QuizAnswer]:
    rows = session.exec(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt_id)).all()
    return {row.item_index: row for row in rows}


def _closed(items: Sequence[Item], rows: dict[int, QuizAnswer]) -> list[datetime | None]:
    return [rows[k].answered_at if k in rows else None for k in range(len(items))]


def _time_limit(attempt: QuizAttempt) -> int:
    return int(json.loads(attempt.settings)["time_limit_s"])


def _windows(attempt: QuizAttempt, items, rows) -> list[Window]:
    return quiz.mock_windows(attempt.started_at, _time_limit(attempt), _closed(items, rows))


def _decode(row: QuizAnswer | None) -> object:
    return None if row is None or row.answer is None else json.loads(row.answer)


def _view(session: Session, deck: Deck, attempt: QuizAttempt, now: datetime) -> View:
    items = _items(attempt, deck)
    rows = _answers(session, attempt.id)
    finished = attempt.finished_at is not None
    mock = attempt.kind == AttemptKind.MOCK
    windows = _windows(attempt, items, rows) if mock else [None] * len(items)
    status = status_of(attempt, answered=len(rows))
    states = []
    for k, item in enumerate(items):
        row = rows.get(k)
        raw = _decode(row)
        given, ticked = raw, ()
        if item.answer_type == AnswerType.TEXT and isinstance(raw, dict):
            given, ticked = raw.get("text"), tuple(raw.get("ticked", ()))
        if mock:
            outcome = _mock_outcome(row, given)
            revealed = status != AttemptStatus.IN_PROGRESS
        else:
            outcome = quiz.outcome(
                row is not None, row and row.correct, bool(row and row.timed_out), given
            )
            revealed = finished or (attempt.mode == Mode.PRACTICE and row is not None)
        states.append(ItemState(k, item, row, given, ticked, outcome, revealed, windows[k]))
    current = current_deadline = None
    if status == AttemptStatus.IN_PROGRESS:
        if mock:
            _, current = quiz.mock_clock(windows, _closed(items, rows), now)
            current_deadline = None if current is None else windows[current].deadline
        else:
            current = next((k for k in range(len(items)) if k not in rows), None)
    view_score = mock_score = None
    if finished:
        view_score = quiz.score([s.outcome for s in states])
        mock_score = attempt.score if mock else None
    return View(
        attempt,
        tuple(states),
        status,
        now,
        json.loads(attempt.settings),
        current,
        current_deadline,
        view_score,
        mock_score,
    )


def _mock_outcome(row: QuizAnswer | None, given: object) -> Outcome:
    if row is None:
        return Outcome(OutcomeStatus.OPEN, False)
    if row.timed_out:  # scores 0 and sends its card back to review, like a quiz item
        return Outcome(OutcomeStatus.TIMED_OUT, True)
    mistake = (row.self_score or 0.0) < quiz.MISTAKE_SELF_SCORE
    if not given:
        return Outcome(OutcomeStatus.SKIPPED, mistake)
    return Outcome(OutcomeStatus.ANSWERED, mistake)


# ---- settling what the clock decided ------------------------------------------------------


def _close(
    session: Session,
    attempt: QuizAttempt,
    at: datetime,
    *,
    missing: Callable[[int], QuizAnswer],
    result: Callable[[dict[int, QuizAnswer]], tuple[int, int, float]],
    what: str,
) -> bool:
    """Close `attempt` at `at` in one transaction: mark it finished (only if nobody did first),
    add `missing(k)` for every item without a row, store `result(rows)` as (correct, total,
    score). False when someone else closed it first; retried when an answer lands meanwhile."""
    attempt_id = attempt.id
    n = len(_refs(attempt))
    for _ in range(MAX_TRIES):
        try:
            closed = session.execute(
                update(QuizAttempt)
                .where(col(QuizAttempt.id) == attempt_id, col(QuizAttempt.finished_at).is_(None))
                .values(finished_at=at)
            )
            if closed.rowcount != 1:
                session.rollback()
                return False
            rows = _answers(session, attempt_id)
            for k in range(n):
                if k not in rows:
                    session.add(missing(k))
            session.flush()
            correct, total, score = result(_answers(session, attempt_id))
            session.execute(
                update(QuizAttempt)
                .where(col(QuizAttempt.id) == attempt_id)
                .values(correct=correct, total=total, score=score)
            )
            session.commit()
            return True
        except IntegrityError:
            session.rollback()  # an answer landed meanwhile: read again
    raise Refused(f"the {what} kept changing; try again")


def _finalize_quiz(session: Session, attempt: QuizAttempt, at: datetime, timed_out: bool) -> bool:
    """Close a quiz at `at`: every item without an answer becomes timed out (at the deadline) or
    skipped (finished early); the score is stored."""

    def missing(k: int) -> QuizAnswer:
        return QuizAnswer(
            attempt_id=attempt.id,
            item_index=k,
            answer=None,
            answered_at=at,
            correct=False,
            timed_out=timed_out,
        )

    def result(rows: dict[int, QuizAnswer]) -> tuple[int, int, float]:
        outcomes = [
            quiz.outcome(True, row.correct, row.timed_out, _decode(row))
            for _, row in sorted(rows.items())
        ]
        score = quiz.score(outcomes)
        return score.correct, score.total, score.ratio

    return _close(session, attempt, at, missing=missing, result=result, what="attempt")


def _finish_mock(session: Session, attempt: QuizAttempt, now: datetime) -> None:
    """Close a mock interview: questions never reached are skipped; the score is the mean share
    of key points ticked."""
    n = len(_refs(attempt))

    def missing(k: int) -> QuizAnswer:  # never reached: skipped
        return QuizAnswer(attempt_id=attempt.id, item_index=k, answered_at=now)

    def result(rows: dict[int, QuizAnswer]) -> tuple[int, int, float]:
        scores = [0.0 if row.timed_out else row.self_score for row in rows.values()]
        passed = sum(1 for s in scores if (s or 0.0) >= quiz.MISTAKE_SELF_SCORE)
        return passed, n, quiz.mock_score(scores)

    _close(session, attempt, now, missing=missing, result=result, what="interview")


def _close_expired_questions(session: Session, attempt: QuizAttempt, now: datetime) -> None:
    """Mock: record every question whose window passed unanswered as timed out."""
    items = _refs(attempt)
    for _ in range(MAX_TRIES):
        rows = _answers(session, attempt.id)
        windows = _windows(attempt, items, rows)
        expired, _ = quiz.mock_clock(windows, _closed(items, rows), now)
        if not expired:
            return
        for k in expired:
            session.add(_timed_out_row(attempt.id, k, windows[k].deadline, None))
        try:
            session.commit()
            return
        except IntegrityError:
            session.rollback()


def _timed_out_row(attempt_id: int, k: int, deadline: datetime, draft: str | None) -> QuizAnswer:
    answer = None if draft is None else json.dumps({"text": draft, "ticked": []})
    return QuizAnswer(
        attempt_id=attempt_id,
        item_index=k,
        answer=answer,
        answered_at=deadline,
        correct=None,
        timed_out=True,
    )


def _settle(ctx: Context, attempt: QuizAttempt) -> None:
    """Apply what the clock decided: a quiz past its deadline is finished (open items timed out,
    mistakes to review); a mock's questions past their windows are closed as timed out."""
    session, now = ctx.session, ctx.now
    if attempt.finished_at is not None:
        return
    if attempt.kind == AttemptKind.MOCK:
        _close_expired_questions(session, attempt, now)
    elif now >= attempt.deadline and _finalize_quiz(
        session, attempt, attempt.deadline, timed_out=True
    ):
        session.refresh(attempt)
        _mistakes_to_review(ctx, attempt)
    session.refresh(attempt)


# ---- the mistake loop ---------------------------------------------------------------------


def _mistakes_to_review(ctx: Context, attempt: QuizAttempt) -> None:
    """Each card with a wrong or timed-out item (mock: under half the key points) is rated
    Again, once per attempt, and made due now, so it opens the next review session."""
    session, user, deck, now = ctx.session, ctx.user, ctx.deck, ctx.now
    view = _view(session, deck, attempt, now)
    done: set[str] = set()
    for state in view.items:
        slug = state.item.card
        if not state.outcome.is_mistake or slug is None or slug in done or not deck.get(slug):
            continue
        done.add(slug)
        try:
            result = reviews.record_review(
                session,
                user,
                slug,
                Rating.AGAIN,
                now,
                idempotency_key=f"quiz-{attempt.id}-{state.index}",
                source="quiz",
                fuzz=ctx.fuzz,
            )
        except reviews.ReviewConflict:
            log.warning("quiz %s: card %s kept changing; mistake not recorded", attempt.id, slug)
            continue
        if not result.replayed:
            # FSRS puts an Again a learning step (1-10 min) ahead; a quiz mistake should open
            # the very next review session, so it is due now.
            session.execute(
                update(CardState)
                .where(
                    col(CardState.user_id) == user.id,
                    col(CardState.card_slug) == slug,
                    col(CardState.due) > now,
                )
                .values(due=now)
            )
            session.commit()


# ---- use cases ----------------------------------------------------------------------------


def _check_limit(kind: str, value: int | None) -> int:
    if kind == AttemptKind.MOCK:
        low, high, default, per = (
            quiz.MIN_MOCK_SECONDS,
            quiz.MAX_MOCK_SECONDS,
            quiz.DEFAULT_MOCK_SECONDS,
            "question",
        )
    else:
        low, high, default, per = (
            quiz.MIN_ITEM_SECONDS,
            quiz.MAX_ITEM_SECONDS,
            quiz.DEFAULT_ITEM_SECONDS,
            "item",
        )
    if value is None:
        return default
    if not low <= value <= high:
        raise InputError("time_limit_s", f"must be between {low} and {high} seconds per {per}")
    return value


def _check_quota(session: Session, user: User, now: datetime) -> None:
    running = session.exec(
        select(QuizAttempt.deadline)
        .where(
            QuizAttempt.user_id == user.id,
            col(QuizAttempt.finished_at).is_(None),
            QuizAttempt.deadline > now,
        )
        .order_by(col(QuizAttempt.deadline))
    ).all()
    if len(running) >= MAX_OPEN_ATTEMPTS:
        raise Refused(
            f"you have {len(running)} quizzes or interviews running, the most at once; finish "
            f"one or let its time run out (the first ends at {running[0]:%H:%M} UTC)"
        )
    day = timedelta(days=1)
    started = session.exec(
        select(QuizAttempt.started_at)
        .where(QuizAttempt.user_id == user.id, QuizAttempt.started_at > now - day)
        .order_by(col(QuizAttempt.started_at).desc())
        .limit(MAX_STARTS_PER_DAY)
    ).all()
    if len(started) >= MAX_STARTS_PER_DAY:
        wait = max(1, int((started[-1] + day - now).total_seconds()) + 1)
        raise TooMany(
            f"{MAX_STARTS_PER_DAY} quizzes and interviews were started in the last 24 hours, "
            f"the most a day; the next can start in {wait // 3600} h {wait % 3600 // 60} min",
            retry_after=wait,
        )


def start(ctx: Context, request: StartRequest, *, seed: int | None = None) -> View:
    """Build and store a new attempt; its deadline is fixed now."""
    session, user, deck, now = ctx.session, ctx.user, ctx.deck, ctx.now
    if request.kind not in tuple(AttemptKind):
        raise InputError("kind", "must be quiz or mock")
    if request.mode not in tuple(Mode):
        raise InputError("mode", "must be exam or practice")
    limit = _check_limit(request.kind, request.time_limit_s)
    seed = secrets.randbelow(quiz.SEED_LIMIT) if seed is None else seed
    topics = frozenset(request.topics)
    # A suspended card leaves every quiz: build from the rest of the deck.
    suspended = marks.suspended(session, user.id)
    if suspended:
        deck = Deck(tuple(c for c in deck if c.slug not in suspended))
    try:
        if request.kind == AttemptKind.MOCK:
            items = quiz.build_mock(deck, request.size, seed, topics, request.cards)
        else:
            spec = quiz.QuizSpec(request.size, frozenset(Kind(k) for k in request.kinds), topics)
            items = quiz.build_quiz(deck, spec, seed)
    except BuildError as exc:
        raise InputError(exc.field, exc.message) from exc
    except ValueError as exc:  # an unknown kind name
        raise InputError("kinds", "use mcq, true_false or computed") from exc
    _check_quota(session, user, now)
    settings = {
        "size": len(items),
        "time_limit_s": limit,
        "kinds": sorted(request.kinds) if request.kind == AttemptKind.QUIZ else [],
        "topics": sorted(topics),
        "cards": list(request.cards),
    }
    attempt = QuizAttempt(
        user_id=user.id,
        kind=request.kind,
        mode=request.mode if request.kind == AttemptKind.QUIZ else Mode.EXAM,
        started_at=now,
        deadline=now + timedelta(seconds=limit * len(items)),
        seed=seed,
        items=json.dumps([item.to_ref() for item in items]),
        settings=json.dumps(settings),
        total=len(items),
    )
    session.add(attempt)
    session.commit()
    session.refresh(attempt)
    return _view(session, deck, attempt, now)


def get(ctx: Context, attempt_id: int) -> View:
    """The attempt as it stands; past the deadline a quiz is finished first (timed-out items)."""
    attempt = _own(ctx.session, ctx.user, attempt_id)
    _settle(ctx, attempt)
    return _view(ctx.session, ctx.deck, attempt, ctx.now)


def answer(ctx: Context, attempt_id: int, *, index: int, raw: object) -> View:
    """Record one answer. Refused (TooLate) after the deadline, (Refused) a second time."""
    session, user, deck, now = ctx.session, ctx.user, ctx.deck, ctx.now
    attempt = _own(session, user, attempt_id)
    items = _items(attempt, deck)
    if not 0 <= index < len(items):
        raise InputError("item", f"must be between 0 and {len(items) - 1}")
    item = items[index]
    if attempt.kind == AttemptKind.MOCK:
        _check_mock_turn(session, attempt, items, index, raw, now)
    elif attempt.finished_at is None and now >= attempt.deadline:
        _settle(ctx, attempt)
        raise TooLate(
            f"deadline: time ran out at {attempt.deadline.isoformat(timespec='seconds')}; "
            f"this answer was not counted and item {index} is recorded as timed out"
        )
    if attempt.finished_at is not None:
        raise Refused("the attempt is finished and takes no more answers")
    if index in _answers(session, attempt.id):
        raise Refused(f"item {index} was already answered; an answer cannot be changed")
    try:
        value = quiz.parse_answer(item, raw)
    except AnswerError as exc:
        raise InputError("answer", str(exc)) from exc
    stored = {"text": value, "ticked": []} if item.answer_type == AnswerType.TEXT else value
    session.add(
        QuizAnswer(
            attempt_id=attempt.id,
            item_index=index,
            answer=json.dumps(stored),
            answered_at=now,
            correct=quiz.is_correct(item, value),
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        session.refresh(attempt)
        if attempt.finished_at is not None:
            raise Refused("the attempt is finished and takes no more answers") from None
        raise Refused(f"item {index} was already answered; an answer cannot be changed") from None
    session.refresh(attempt)
    return _view(session, deck, attempt, now)


def _check_mock_turn(session, attempt, items, index, raw, now) -> None:
    """Mock questions are answered in order, each within its own window."""
    if attempt.finished_at is not None:
        raise Refused("the interview is finished and takes no more answers")
    rows = _answers(session, attempt.id)
    if index in rows:
        raise Refused(f"question {index} was already answered; an answer cannot be changed")
    windows = _windows(attempt, items, rows)
    expired, current = quiz.mock_clock(windows, _closed(items, rows), now)
    if index in expired:
        # Keep what the learner wrote before the deadline cut in (shown with the results),
        # but it counts as timed out, like a late quiz answer.
        draft = raw[: quiz.MAX_TEXT] if isinstance(raw, str) else None
        for k in expired:
            session.add(
                _timed_out_row(attempt.id, k, windows[k].deadline, draft if k == index else None)
            )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
        raise TooLate(
            f"deadline: time for question {index} ran out at "
            f"{windows[index].deadline.isoformat(timespec='seconds')}; the answer is kept but "
            "recorded as timed out"
        )
    if expired:
        _close_expired_questions(session, attempt, now)
    if current is None:
        raise Refused("every question is closed; tick the key points and finish")
    if index != current:
        raise Refused(f"question {current} is open now; questions are answered in order")


def tick(ctx: Context, attempt_id: int, *, index: int, ticked: Sequence[int]) -> View:
    """Mock: store which key points the learner covered in question `index`."""
    session, user, deck, now = ctx.session, ctx.user, ctx.deck, ctx.now
    attempt = _own(session, user, attempt_id)
    if attempt.kind != AttemptKind.MOCK:
        raise Refused("only mock interviews have key points to tick")
    _close_expired_questions(session, attempt, now)
    view = _view(session, deck, attempt, now)
    if view.status == AttemptStatus.FINISHED:
        raise Refused("the interview is finished; its score is final")
    if view.status != AttemptStatus.REVIEW:
        raise Refused("answer every question first; the key points show after the last one")
    if not 0 <= index < len(view.items):
        raise InputError("item", f"must be between 0 and {len(view.items) - 1}")
    state = view.items[index]
    row = state.row
    try:
        share = quiz.mock_share(state.item, ticked, row.timed_out)
    except AnswerError as exc:
        raise InputError("ticked", str(exc)) from exc
    row.answer = json.dumps({"text": state.given, "ticked": sorted(set(ticked))})
    row.self_score = share
    session.add(row)
    session.commit()
    session.refresh(attempt)
    return _view(session, deck, attempt, now)


def finish(ctx: Context, attempt_id: int) -> View:
    """Finish now: open items are recorded as skipped (or timed out if the deadline passed),
    the score is stored and mistakes go back to review. Finishing again changes nothing."""
    session, deck, now = ctx.session, ctx.deck, ctx.now
    attempt = _own(session, ctx.user, attempt_id)
    _settle(ctx, attempt)
    if attempt.finished_at is None:
        if attempt.kind == AttemptKind.MOCK:
            _finish_mock(session, attempt, now)
        else:
            _finalize_quiz(session, attempt, now, timed_out=False)
        session.refresh(attempt)
    _mistakes_to_review(ctx, attempt)
    session.refresh(attempt)
    return _view(session, deck, attempt, now)


def history(ctx: Context, *, limit: int = HISTORY_LIMIT) -> list[Summary]:
    """This user's attempts, newest first (quizzes past their deadline are finished first)."""
    session, user, now = ctx.session, ctx.user, ctx.now
    stale = session.exec(
        select(QuizAttempt).where(
            QuizAttempt.user_id == user.id,
            col(QuizAttempt.finished_at).is_(None),
            QuizAttempt.deadline <= now,
        )
    ).all()
    for attempt in stale:
        _settle(ctx, attempt)
    attempts = session.exec(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user.id)
        .order_by(col(QuizAttempt.started_at).desc(), col(QuizAttempt.id).desc())
        .limit(limit)
    ).all()
    out = []
    for attempt in attempts:
        running_mock = attempt.kind == AttemptKind.MOCK and attempt.finished_at is None
        answered = len(_answers(session, attempt.id)) if running_mock else 0
        status = status_of(attempt, answered=answered)
        duration = duration_s(attempt, now)
        out.append(Summary(attempt, status, duration, json.loads(attempt.settings)))
    return out


def status_of(attempt: QuizAttempt, *, answered: int) -> AttemptStatus:
    """Finished once closed; a mock with every question answered (or timed out) is in review,
    its key points to tick; anything else is in progress."""
    if attempt.finished_at is not None:
        return AttemptStatus.FINISHED
    if attempt.kind == AttemptKind.MOCK and answered == attempt.total:
        return AttemptStatus.REVIEW
    return AttemptStatus.IN_PROGRESS


def duration_s(attempt: QuizAttempt, now: datetime) -> float:
    """Seconds from the start to the finish (running: to now, at most to the deadline)."""
    end = attempt.finished_at or min(now, attempt.deadline)
    return max(0.0, (end - attempt.started_at).total_seconds())


@dataclass(frozen=True, slots=True)
class TrendPoint:
    attempt_id: int
    finished_at: datetime
    score: float  # 0..1
    kind: str
    mode: str


def trend(session: Session, user: User, limit: int = 30) -> list[TrendPoint]:
    """Finished attempts' scores, oldest first (the last `limit`): what the trend chart draws."""
    rows = session.exec(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user.id, col(QuizAttempt.finished_at).is_not(None))
        .order_by(col(QuizAttempt.finished_at).desc())
        .limit(limit)
    ).all()
    return [TrendPoint(a.id, a.finished_at, a.score or 0.0, a.kind, a.mode) for a in reversed(rows)]
