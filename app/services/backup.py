"""The learner's whole progress as a versioned JSON document, and back.

Export writes settings, card states, the review log (with any typed answers), quizzes (with their
answers), lab predictions and the learner's card marks (suspended, flag, note). Import validates
the whole document first (format, version, every field, every card slug against the deck) and
only then writes it, in one transaction: a bad file changes nothing.

Modes:
- replace: the current progress is deleted and the file's takes its place, settings included.
- merge: the current settings stay; review logs are united (a review is the same when its card,
  time and rating are); each card keeps whichever state has the later last review; quizzes and lab
  predictions are united (same kind and start time; same preset, question and time); a card's
  marks are taken from whichever side changed them last.
A card slug the deck does not have is refused in both modes, with its name: skipping it would drop
part of the learner's history without telling them.

Idempotency keys and the stored review results are retry plumbing, not progress: they are not
exported, and imported reviews carry no key (undo still works: it needs only the state before).
"""

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlmodel import Session, SQLModel, col, delete, select

from app import errors, messages
from app.content import Deck
from app.models import (
    CardMark,
    CardState,
    LabPrediction,
    LoginAttempt,
    QuizAnswer,
    QuizAttempt,
    ReviewLog,
    User,
)
from app.moments import UserDate, UserDateTime
from app.nn.presets import PRESET_NAMES
from app.services import schedule
from app.study import marks, quiz, recall, scheduling
from app.study.days import is_timezone
from app.study.memory import CardMemory
from app.study.quiz import AttemptKind, Mode

FORMAT = "memory-cell-progress"
VERSION = 1
# 1 MB, the cap on every request body: a year of reviews of a 20-card deck takes about a tenth.
MAX_BYTES = 1_048_576
MAX_NEW_PER_DAY = 100
MAX_QUIZ_ITEMS = 20
# Imports a user may send in any 24 hours (each one rewrites up to a megabyte of progress).
MAX_IMPORTS_PER_DAY = 20  # the largest quiz or mock interview the app builds

Slug = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]


class BackupError(errors.DomainError, ValueError):
    """A file that cannot be imported; the message names the field and the problem."""

    def __init__(self, message: str, status: int = 422, retry_after: int = 0) -> None:
        super().__init__(message, status=status, retry_after=retry_after)


M = TypeVar("M", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SettingsData(_Strict):
    timezone: str = Field(max_length=64, description="IANA time zone, e.g. Europe/Paris")
    desired_retention: float = Field(ge=scheduling.MIN_RETENTION, le=scheduling.MAX_RETENTION)
    daily_new_limit: int = Field(ge=0, le=MAX_NEW_PER_DAY)
    interview_date: UserDate | None = None
    lab_predict: bool = Field(True, description="Offer “predict before you look” in the lab")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if not is_timezone(value):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Paris")
        return value


class MemoryData(_Strict):
    """A card's FSRS memory state and counters."""

    state: int = Field(ge=1, le=3, description="1 learning, 2 review, 3 relearning")
    step: int | None = Field(None, ge=0, le=100)
    stability: float | None = Field(None, gt=0, le=1e6)
    difficulty: float | None = Field(None, ge=1, le=10)
    due: UserDateTime
    fsrs_due: UserDateTime | None = Field(
        None,
        description="FSRS's own due date, before an interview pulled it earlier; = due if absent",
    )
    last_review: UserDateTime | None = None
    reps: int = Field(0, ge=0, le=1_000_000)
    lapses: int = Field(0, ge=0, le=1_000_000)


class CardStateData(MemoryData):
    card: Slug


class ReviewData(_Strict):
    card: Slug
    rating: int = Field(ge=1, le=4, description="1 Again, 2 Hard, 3 Good, 4 Easy")
    reviewed_at: UserDateTime
    duration_ms: int | None = Field(None, ge=0, le=3_600_000)
    source: Literal["review", "quiz"] = "review"
    state_before: MemoryData | None = Field(
        None, description="The card's state before this review; null when it was new"
    )
    answer: str | None = Field(
        None,
        max_length=recall.MAX_ANSWER_CHARS,
        description="The answer typed before revealing, if any",
    )
    answer_points: list[Annotated[int, Field(ge=0, le=20)]] | None = Field(
        None, max_length=20, description="The key points (0-based) left ticked as covered"
    )


class CardMarkData(_Strict):
    """The learner's own marks on a card."""

    card: Slug
    suspended: bool = False
    flag: marks.Flag | None = None
    note: str | None = Field(None, max_length=marks.MAX_NOTE_CHARS)
    updated_at: UserDateTime


class QuizAnswerData(_Strict):
    item_index: int = Field(ge=0, le=10_000)
    answer: JsonValue = None
    answered_at: UserDateTime
    correct: bool | None = None
    timed_out: bool = False
    self_score: float | None = Field(None, ge=0, le=1)


class QuizData(_Strict):
    kind: AttemptKind
    mode: Mode = Mode.EXAM
    started_at: UserDateTime
    deadline: UserDateTime
    finished_at: UserDateTime | None = None
    seed: int = Field(0, ge=-(2**63), lt=2**63)
    items: JsonValue = Field(default_factory=list)
    settings: JsonValue = Field(default_factory=dict)
    correct: int = Field(0, ge=0, le=10_000)
    total: int = Field(0, ge=0, le=10_000)
    score: float | None = Field(None, ge=0, le=1)
    answers: list[QuizAnswerData] = Field(default_factory=list, max_length=10_000)

    @model_validator(mode="after")
    def _one_answer_per_item(self) -> "QuizData":
        indexes = [a.item_index for a in self.answers]
        if len(indexes) != len(set(indexes)):
            raise ValueError("answers: two answers to the same item_index")
        return self


class LabPredictionData(_Strict):
    preset: str = Field(min_length=1, max_length=40)
    question: str = Field(min_length=1, max_length=200)
    answer: str = Field(max_length=200)
    correct: bool
    created_at: UserDateTime


class ProgressData(_Strict):
    """A Memory Cell progress file (version 1)."""

    format: Literal["memory-cell-progress"] = FORMAT
    version: Literal[1] = VERSION
    exported_at: UserDateTime
    settings: SettingsData
    card_states: list[CardStateData] = Field(default_factory=list, max_length=10_000)
    review_log: list[ReviewData] = Field(default_factory=list, max_length=200_000)
    quizzes: list[QuizData] = Field(default_factory=list, max_length=100_000)
    lab_predictions: list[LabPredictionData] = Field(default_factory=list, max_length=100_000)
    card_marks: list[CardMarkData] = Field(default_factory=list, max_length=10_000)

    @model_validator(mode="after")
    def _one_state_per_card(self) -> "ProgressData":
        for name, what, rows in (
            ("card_states", "state", self.card_states),
            ("card_marks", "set of marks", self.card_marks),
        ):
            counts = Counter(c.card for c in rows)
            twice = sorted(card for card, n in counts.items() if n > 1)
            if twice:
                raise ValueError(f"{name}: more than one {what} for {', '.join(twice)}")
        return self

    def slugs(self) -> set[str]:
        return (
            {c.card for c in self.card_states}
            | {r.card for r in self.review_log}
            | {m.card for m in self.card_marks}
        )


class ImportIn(_Strict):
    mode: Literal["replace", "merge"] = Field(
        description="replace: the file's progress replaces yours; merge: both are combined"
    )
    data: ProgressData


class ImportResult(BaseModel):
    mode: Literal["replace", "merge"]
    card_states: int = Field(description="Card states written")
    reviews_added: int
    quizzes_added: int
    lab_predictions_added: int
    card_marks: int = Field(0, description="Card marks (suspended, flag, note) written")
    settings_changed: bool
    message: str


# Export -------------------------------------------------------------------------------------------


def _json(text: str | None) -> JsonValue:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text  # not JSON after all: keep it as it is rather than lose it


def _owned(session: Session, model: type, uid: int, *order: Any) -> list:
    """Every row of `model` this user owns, in the given order."""
    return list(session.exec(select(model).where(model.user_id == uid).order_by(*order)).all())


def _answers_by_attempt(session: Session, attempts: list[QuizAttempt]) -> dict[int, list]:
    answers: dict[int, list[QuizAnswer]] = {}
    if attempts:
        for answer in session.exec(
            select(QuizAnswer)
            .where(col(QuizAnswer.attempt_id).in_([a.id for a in attempts]))
            .order_by(col(QuizAnswer.item_index))
        ).all():
            answers.setdefault(answer.attempt_id, []).append(answer)
    return answers


def export(session: Session, user: User, now: datetime) -> ProgressData:
    uid = user.id
    states = _owned(session, CardState, uid, col(CardState.card_slug))
    logs = _owned(session, ReviewLog, uid, col(ReviewLog.reviewed_at), col(ReviewLog.id))
    attempts = _owned(session, QuizAttempt, uid, col(QuizAttempt.started_at), col(QuizAttempt.id))
    answers = _answers_by_attempt(session, attempts)
    predictions = _owned(
        session, LabPrediction, uid, col(LabPrediction.created_at), col(LabPrediction.id)
    )
    card_marks = _owned(session, CardMark, uid, col(CardMark.card_slug))
    return ProgressData(
        exported_at=now,
        settings=SettingsData.model_validate(user, from_attributes=True),
        card_states=[CardStateData(card=s.card_slug, **CardMemory.of(s).fields()) for s in states],
        review_log=[
            _from_row(
                ReviewData,
                log,
                card=log.card_slug,
                state_before=_snapshot(log.state_before),
                answer_points=_json(log.answer_points),
            )
            for log in logs
        ],
        quizzes=[
            _from_row(
                QuizData,
                a,
                items=_json(a.items),
                settings=_json(a.settings),
                answers=[
                    _from_row(QuizAnswerData, x, answer=_json(x.answer))
                    for x in answers.get(a.id, [])
                ],
            )
            for a in attempts
        ],
        lab_predictions=[
            LabPredictionData.model_validate(p, from_attributes=True) for p in predictions
        ],
        card_marks=[_from_row(CardMarkData, m, card=m.card_slug) for m in card_marks],
    )


def _from_row(model: type[M], row: object, **values: Any) -> M:
    """`model` read from `row`'s attributes (as `from_attributes` does), `values` taking the place
    of the columns that are stored in another form (JSON text, a slug under another name)."""
    found = {name: getattr(row, name) for name in model.model_fields if hasattr(row, name)}
    return model.model_validate(found | values)


def _snapshot(text: str | None) -> MemoryData | None:
    if not text:
        return None
    return MemoryData(**CardMemory.from_dict(json.loads(text)).fields())


def _snapshot_json(memory: MemoryData | None) -> str | None:
    """The snapshot in the form services.reviews writes (and undo reads)."""
    return None if memory is None else json.dumps(CardMemory.of(memory).to_dict())


# Import -------------------------------------------------------------------------------------------


def count_import(session: Session, user: User, now: datetime) -> None:
    """Count this import against the user's daily quota, or BackupError 429 when it is full.

    Counted in the rate-limit table (shared by every worker) before the body is even read, so
    refused and malformed imports count too."""
    key, day = f"import:{user.id}", timedelta(days=1)
    times = session.exec(
        select(LoginAttempt.at)
        .where(LoginAttempt.key == key, LoginAttempt.at > now - day)
        .order_by(col(LoginAttempt.at).desc())
        .limit(MAX_IMPORTS_PER_DAY)
    ).all()
    if len(times) >= MAX_IMPORTS_PER_DAY:
        wait = max(1, int((times[-1] + day - now).total_seconds()) + 1)
        raise BackupError(
            f"file: {MAX_IMPORTS_PER_DAY} imports in 24 hours is the most a day; the next can "
            f"be sent in {wait // 3600} h {wait % 3600 // 60} min",
            status=429,
            retry_after=wait,
        )
    session.add(LoginAttempt(key=key, at=now))
    session.commit()


def parse(raw: bytes) -> ProgressData:
    """The file's bytes to a validated ProgressData, or BackupError saying what is wrong."""
    if len(raw) > MAX_BYTES:
        raise BackupError(too_large(len(raw)), status=413)
    return validate(load_json(raw, "file"))


def load_json(raw: bytes, where: str) -> Any:
    """Parsed JSON, or BackupError 400 naming `where` (invalid, or nested too deeply)."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise BackupError(f"{where}: JSON nested too deeply to read", status=400) from None
    except (ValueError, UnicodeDecodeError) as exc:
        message = messages.NOT_A_BACKUP_JSON if where == "file" else messages.BAD_JSON_BODY
        raise BackupError(message, status=400) from exc


def too_large(size: int) -> str:
    return (
        f"file: {size:,} bytes is more than the 1 MB limit ({MAX_BYTES:,} bytes) "
        "for a progress file"
    )


def validate(document: Any) -> ProgressData:
    # Format and version first, so a wrong file gets the one message that matters.
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"format: this is not a Memory Cell progress file (expected {FORMAT!r})")
    version = document.get("version")
    if version != VERSION:
        raise BackupError(
            f"version: this file is version {version!r}; this server reads version {VERSION}"
        )
    try:
        return ProgressData.model_validate(document)
    except ValidationError as exc:
        raise BackupError(describe(exc)) from exc


def describe(exc: ValidationError, limit: int = 3) -> str:
    """'Rating (review_log.3.rating) can be at most 4.' for the first few errors."""
    errors = exc.errors()
    lines = [messages.field_message(error) for error in errors[:limit]]
    more = len(errors) - limit
    if more > 0:
        lines.append(f"and {more} more problem{'s' if more != 1 else ''}")
    return "; ".join(lines)


def check_cards(data: ProgressData, deck: Deck) -> None:
    unknown = sorted(data.slugs() - set(deck.slugs))
    if unknown:
        names = ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")
        raise BackupError(
            f"cards: this deck has no card called {names}; nothing was imported "
            "(the file may come from another version of the deck)"
        )
    for k, review in enumerate(data.review_log):
        points = len(deck.get(review.card).key_points)
        if any(p >= points for p in review.answer_points or ()):
            raise _refuse(
                f"review_log.{k}.answer_points",
                f"card {review.card} has key points 0 to {points - 1}",
            )


def rebuild_quizzes(data: ProgressData, deck: Deck) -> ProgressData:
    """The file's quizzes rebuilt from the deck, or BackupError naming the first bad entry.

    An imported attempt is data, never markup: each item must be a reference the deck resolves
    (rendered items from older files are reduced to their reference first), each answer must
    be of its item's form, and correctness, self-scores and the attempt's score are computed
    here, never taken from the file. Settings are rebuilt from checked values only.
    """
    return data.model_copy(
        update={"quizzes": [_rebuilt(k, q, deck) for k, q in enumerate(data.quizzes)]}
    )


def _refuse(where: str, message: str) -> BackupError:
    return BackupError(f"{where}: {message}; nothing was imported")


def _rebuilt(k: int, data: QuizData, deck: Deck) -> QuizData:
    where = f"quizzes.{k}"
    mock = data.kind == "mock"
    stored = data.items if isinstance(data.items, list) else None
    if not stored or len(stored) > MAX_QUIZ_ITEMS:
        raise _refuse(f"{where}.items", f"a list of 1 to {MAX_QUIZ_ITEMS} items")
    items = []
    for i, raw in enumerate(stored):
        try:
            item = quiz.resolve(quiz.stored_ref(raw), deck)
        except quiz.RefError as exc:
            raise _refuse(f"{where}.items.{i}", str(exc)) from None
        if (item.kind == quiz.Kind.MOCK) != mock:
            raise _refuse(f"{where}.items.{i}", f"a {item.kind.value} item in a {data.kind}")
        items.append(item)
    n = len(items)
    settings = _rebuilt_settings(f"{where}.settings", data, items, deck)
    deadline = data.started_at + timedelta(seconds=settings["time_limit_s"] * n)
    if abs((data.deadline - deadline).total_seconds()) > 1:
        raise _refuse(
            f"{where}.deadline",
            f"must be started_at plus {settings['time_limit_s']} s for each of its {n} items",
        )
    if data.finished_at is not None and data.finished_at < data.started_at:
        raise _refuse(f"{where}.finished_at", "is before started_at")
    answers = [
        _rebuilt_answer(f"{where}.answers.{j}", a, items) for j, a in enumerate(data.answers)
    ]
    by_index = {a.item_index: a for a in answers}
    correct, score = 0, None
    if data.finished_at is not None:
        if len(by_index) != n:
            raise _refuse(f"{where}.answers", f"a finished attempt has one row for each of its {n}")
        if mock:
            shares = [by_index[i].self_score for i in range(n)]
            correct = sum(1 for s in shares if (s or 0.0) >= quiz.MISTAKE_SELF_SCORE)
            score = quiz.mock_score(shares)
        else:
            outcomes = [
                quiz.outcome(True, a.correct, a.timed_out, a.answer)
                for a in (by_index[i] for i in range(n))
            ]
            result = quiz.score(outcomes)
            correct, score = result.correct, result.ratio
    return data.model_copy(
        update={
            "mode": "exam" if mock else data.mode,
            "deadline": deadline,
            "items": [item.to_ref() for item in items],
            "settings": settings,
            "correct": correct,
            "total": n,
            "score": score,
            "answers": answers,
        }
    )


def _rebuilt_settings(where: str, data: QuizData, items: list, deck: Deck) -> dict:
    given = data.settings if isinstance(data.settings, dict) else {}
    mock = data.kind == "mock"
    low, high = (
        (quiz.MIN_MOCK_SECONDS, quiz.MAX_MOCK_SECONDS)
        if mock
        else (quiz.MIN_ITEM_SECONDS, quiz.MAX_ITEM_SECONDS)
    )
    limit = given.get("time_limit_s")
    if isinstance(limit, bool) or not isinstance(limit, int) or not low <= limit <= high:
        raise _refuse(f"{where}.time_limit_s", f"a whole number of seconds from {low} to {high}")
    topics = given.get("topics", [])
    known = set(quiz.deck_topics(deck))
    if not isinstance(topics, list) or any(t not in known for t in topics):
        raise _refuse(f"{where}.topics", "a list of this deck's topics")
    kinds = sorted({item.kind.value for item in items}) if not mock else []
    if not mock and isinstance(given.get("kinds"), list):
        asked = given["kinds"]
        if not set(kinds) <= set(asked) <= {k.value for k in quiz.QUIZ_KINDS}:
            raise _refuse(
                f"{where}.kinds", "the kinds of its items, from mcq, true_false, computed"
            )
        kinds = sorted(asked)
    cards = [item.card for item in items]
    return {
        "size": len(items),
        "time_limit_s": limit,
        "kinds": kinds,
        "topics": sorted(set(topics)),
        "cards": cards if mock and given.get("cards") == cards else [],
    }


def _rebuilt_answer(where: str, data: QuizAnswerData, items: list) -> QuizAnswerData:
    if data.item_index >= len(items):
        raise _refuse(f"{where}.item_index", f"the attempt has {len(items)} items")
    item = items[data.item_index]
    raw = data.answer
    if item.answer_type == quiz.AnswerType.TEXT:
        text, ticked = None, []
        if raw is not None:
            if not isinstance(raw, dict) or set(raw) - {"text", "ticked"}:
                raise _refuse(f"{where}.answer", 'a mock answer is {"text": ..., "ticked": [...]}')
            text, ticked = raw.get("text"), raw.get("ticked") or []
            if text is not None and (not isinstance(text, str) or len(text) > quiz.MAX_TEXT):
                raise _refuse(f"{where}.answer.text", f"text of at most {quiz.MAX_TEXT} characters")
            if not isinstance(ticked, list) or any(
                isinstance(t, bool) or not isinstance(t, int) for t in ticked
            ):
                raise _refuse(f"{where}.answer.ticked", "a list of key point numbers")
        try:
            share = quiz.mock_share(item, ticked, data.timed_out)
        except quiz.AnswerError as exc:
            raise _refuse(f"{where}.answer.ticked", str(exc)) from None
        scored = data.self_score is not None or bool(ticked)
        answer = None if raw is None else {"text": text, "ticked": sorted(set(ticked))}
        return data.model_copy(
            update={"answer": answer, "correct": None, "self_score": share if scored else None}
        )
    if raw is None:
        return data.model_copy(update={"correct": False, "self_score": None})
    try:
        value = quiz.parse_answer(item, raw)
    except quiz.AnswerError as exc:
        raise _refuse(f"{where}.answer", str(exc)) from None
    return data.model_copy(
        update={"answer": value, "correct": quiz.is_correct(item, value), "self_score": None}
    )


def restore(
    session: Session,
    user: User,
    deck: Deck,
    data: ProgressData,
    mode: Literal["replace", "merge"],
    *,
    now: datetime,
) -> ImportResult:
    """Write `data` into `user`'s progress in one transaction (validated already by `parse`).

    A merge keeps the learner's interview date while the file's card states were scheduled for
    the file's: their due dates are recomputed for the learner's, in the same transaction."""
    check_cards(data, deck)
    for k, prediction in enumerate(data.lab_predictions):
        if prediction.preset not in PRESET_NAMES:
            raise _refuse(f"lab_predictions.{k}.preset", f"no lab preset {prediction.preset!r}")
    data = rebuild_quizzes(data, deck)
    try:
        write = _replace if mode == "replace" else _merge
        result = write(session, user, data)
        if mode == "merge":
            schedule.reschedule(session, user, now)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return result


def _delete_all(session: Session, uid: int) -> None:
    attempt_ids = select(QuizAttempt.id).where(QuizAttempt.user_id == uid)
    session.exec(delete(QuizAnswer).where(col(QuizAnswer.attempt_id).in_(attempt_ids)))
    for table in (QuizAttempt, ReviewLog, CardState, LabPrediction, CardMark):
        session.exec(delete(table).where(col(table.user_id) == uid))


def _replace(session: Session, user: User, data: ProgressData) -> ImportResult:
    uid = user.id
    _delete_all(session, uid)
    s = data.settings
    user.timezone = s.timezone
    user.desired_retention = s.desired_retention
    user.daily_new_limit = s.daily_new_limit
    user.interview_date = s.interview_date
    user.lab_predict = s.lab_predict
    session.add(user)
    for state in data.card_states:
        session.add(_card_state(uid, state))
    for review in data.review_log:
        session.add(_review(uid, review))
    for taken in data.quizzes:
        _add_quiz(session, uid, taken)
    for prediction in data.lab_predictions:
        session.add(LabPrediction(user_id=uid, **prediction.model_dump()))
    for mark in data.card_marks:
        session.add(_card_mark(uid, mark))
    return ImportResult(
        mode="replace",
        card_states=len(data.card_states),
        reviews_added=len(data.review_log),
        quizzes_added=len(data.quizzes),
        lab_predictions_added=len(data.lab_predictions),
        card_marks=len(data.card_marks),
        settings_changed=True,
        message=(
            f"Replaced your progress with the file's: {len(data.review_log)} reviews, "
            f"{len(data.card_states)} card states, {len(data.quizzes)} quizzes."
        ),
    )


def _merge(session: Session, user: User, data: ProgressData) -> ImportResult:
    uid = user.id
    written = _merge_states(session, uid, data.card_states)

    def mine(table: type[SQLModel]) -> list:
        return session.exec(select(table).where(table.user_id == uid)).all()

    reviews_added = _add_new(
        {_review_key(log.card_slug, log.reviewed_at, log.rating) for log in mine(ReviewLog)},
        data.review_log,
        key=lambda r: _review_key(r.card, r.reviewed_at, r.rating),
        add=lambda r: session.add(_review(uid, r)),
    )
    quizzes_added = _add_new(
        {(a.kind, _utc_key(a.started_at)) for a in mine(QuizAttempt)},
        data.quizzes,
        key=lambda q: (q.kind, _utc_key(q.started_at)),
        add=lambda q: _add_quiz(session, uid, q),
    )
    predictions_added = _add_new(
        {(p.preset, p.question, _utc_key(p.created_at)) for p in mine(LabPrediction)},
        data.lab_predictions,
        key=lambda p: (p.preset, p.question, _utc_key(p.created_at)),
        add=lambda p: session.add(LabPrediction(user_id=uid, **p.model_dump())),
    )
    marks_written = _merge_marks(session, uid, data.card_marks)
    return ImportResult(
        mode="merge",
        card_states=written,
        reviews_added=reviews_added,
        quizzes_added=quizzes_added,
        lab_predictions_added=predictions_added,
        card_marks=marks_written,
        settings_changed=False,
        message=(
            f"Merged the file into your progress: {reviews_added} new reviews, "
            f"{written} card states updated, {quizzes_added} new quizzes. "
            "Your settings were kept."
        ),
    )


def _merge_marks(session: Session, uid: int, incoming: list[CardMarkData]) -> int:
    """A card's marks: whichever side changed them last wins, as a whole."""
    current = {
        m.card_slug: m for m in session.exec(select(CardMark).where(CardMark.user_id == uid)).all()
    }
    written = 0
    for mark in incoming:
        row = current.get(mark.card)
        if row is None:
            session.add(_card_mark(uid, mark))
            written += 1
        elif _later(mark.updated_at, row.updated_at):
            row.suspended, row.flag, row.note = mark.suspended, mark.flag, mark.note
            row.updated_at = mark.updated_at
            session.add(row)
            written += 1
    return written


def _merge_states(session: Session, uid: int, incoming: list[CardStateData]) -> int:
    """Each card keeps its most recently reviewed state: the file's or the account's."""
    states = {
        row.card_slug: row
        for row in session.exec(select(CardState).where(CardState.user_id == uid)).all()
    }
    written = 0
    for state in incoming:
        row = states.get(state.card)
        if row is None:
            session.add(_card_state(uid, state))
            written += 1
        elif _later(state.last_review, row.last_review):
            for name, value in _memory_fields(state).items():
                setattr(row, name, value)
            session.add(row)
            written += 1
    return written


def _add_new(
    seen: set, incoming: list, *, key: Callable[[Any], Any], add: Callable[[Any], object]
) -> int:
    """Add every incoming record whose key is not seen yet (in the account or earlier in the
    file); how many were added."""
    added = 0
    for record in incoming:
        if (k := key(record)) not in seen:
            seen.add(k)
            add(record)
            added += 1
    return added


def _utc_key(moment: datetime) -> str:
    # One spelling per instant, whatever offset the file or the database wrote it with.
    return moment.astimezone(UTC).isoformat()


def _review_key(card: str, at: datetime, rating: int) -> tuple[str, str, int]:
    return card, _utc_key(at), rating


def _later(new: datetime | None, old: datetime | None) -> bool:
    if new is None:
        return False
    return old is None or new > old


def _memory_fields(state: MemoryData) -> dict[str, Any]:
    return CardMemory.of(state).fields()


def _card_state(uid: int, state: CardStateData) -> CardState:
    return CardState(user_id=uid, card_slug=state.card, **_memory_fields(state))


def _review(uid: int, review: ReviewData) -> ReviewLog:
    return ReviewLog(
        user_id=uid,
        card_slug=review.card,
        rating=review.rating,
        reviewed_at=review.reviewed_at,
        duration_ms=review.duration_ms,
        source=review.source,
        idempotency_key=None,
        state_before=_snapshot_json(review.state_before),
        state_after=None,
        answer=review.answer,
        answer_points=None if review.answer_points is None else json.dumps(review.answer_points),
    )


def _card_mark(uid: int, mark: CardMarkData) -> CardMark:
    return CardMark(
        user_id=uid,
        card_slug=mark.card,
        suspended=mark.suspended,
        flag=mark.flag,
        note=mark.note,
        updated_at=mark.updated_at,
    )


def _add_quiz(session: Session, uid: int, taken: QuizData) -> None:
    attempt = QuizAttempt(
        user_id=uid,
        kind=taken.kind,
        mode=taken.mode,
        started_at=taken.started_at,
        deadline=taken.deadline,
        finished_at=taken.finished_at,
        seed=taken.seed,
        items=json.dumps(taken.items),
        settings=json.dumps(taken.settings),
        correct=taken.correct,
        total=taken.total,
        score=taken.score,
    )
    session.add(attempt)
    session.flush()  # the attempt's id, for its answers
    for answer in taken.answers:
        session.add(
            QuizAnswer(
                attempt_id=attempt.id,
                item_index=answer.item_index,
                answer=None if answer.answer is None else json.dumps(answer.answer),
                answered_at=answer.answered_at,
                correct=answer.correct,
                timed_out=answer.timed_out,
                self_score=answer.self_score,
            )
        )
