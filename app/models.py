"""Database tables. Only per-user state lives here; cards are content, addressed by slug.

Every per-user table references `user.id` with ON DELETE CASCADE, so deleting a user deletes
everything they own. Times are UTC (see UTCDateTime).
"""

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint, true
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


def _user_fk() -> Column:
    return Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)


class User(SQLModel, table=True):
    __tablename__ = "user"

    id: int | None = Field(default=None, primary_key=True)
    username: str | None = Field(default=None, unique=True, max_length=40)  # None for a guest
    password_hash: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    timezone: str = Field(default="UTC", max_length=64)  # IANA name, from the browser
    desired_retention: float = Field(default=0.9)
    daily_new_limit: int = Field(default=10)
    interview_date: date | None = None
    # Bumped on logout-everywhere and password change: cookies carrying an older value stop working.
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Offer "predict before you look" in the lab (an off switch in settings).
    lab_predict: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    # "Study N more new cards today": extra new cards allowed on one study day (local date).
    extra_new_cards: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    extra_new_day: date | None = None


class CardState(SQLModel, table=True):
    """One user's FSRS memory state for one card. No row yet means the card is new to them."""

    __tablename__ = "card_state"
    __table_args__ = (UniqueConstraint("user_id", "card_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    card_slug: str = Field(max_length=80)
    state: int  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime = Field(sa_type=UTCDateTime)  # when it is shown (capped before an interview)
    fsrs_due: datetime = Field(sa_type=UTCDateTime)  # FSRS's own due: clearing the date restores it
    last_review: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reps: int = 0
    lapses: int = 0


class ReviewLog(SQLModel, table=True):
    """One rating of one card. The idempotency key makes a retried submission count once."""

    __tablename__ = "review_log"
    __table_args__ = (UniqueConstraint("user_id", "idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    card_slug: str = Field(max_length=80, index=True)
    rating: int  # fsrs.Rating: 1 again, 2 hard, 3 good, 4 easy
    reviewed_at: datetime = Field(sa_type=UTCDateTime, index=True)
    duration_ms: int | None = None
    source: str = Field(default="review", max_length=16)  # review | quiz
    idempotency_key: str | None = Field(default=None, max_length=64)
    # The card's state before and after this review, as JSON: undo restores `state_before`
    # exactly, and a retried submission gets `state_after` back unchanged.
    state_before: str | None = None
    state_after: str | None = None
    # Active recall: what the learner typed before revealing (at most 4,000 characters), and the
    # key points they left ticked as covered, as a JSON list of indices.
    answer: str | None = Field(default=None, max_length=4000)
    answer_points: str | None = Field(default=None, max_length=64)


class CardMark(SQLModel, table=True):
    """A learner's own marks on one card: suspended, a coloured flag, a note. No row: none."""

    __tablename__ = "card_mark"
    __table_args__ = (UniqueConstraint("user_id", "card_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    card_slug: str = Field(max_length=80)
    suspended: bool = False  # out of every queue and quiz until unsuspended
    flag: str | None = Field(default=None, max_length=8)  # red | orange | green | blue
    note: str | None = Field(default=None, max_length=5000)  # Markdown, rendered without HTML
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class QuizAttempt(SQLModel, table=True):
    """A timed quiz or mock interview. The server owns the clock: `deadline` is fixed at start."""

    __tablename__ = "quiz_attempt"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    kind: str = Field(default="quiz", max_length=16)  # quiz | mock
    mode: str = Field(default="exam", max_length=16)  # exam | practice
    started_at: datetime = Field(sa_type=UTCDateTime)
    deadline: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    seed: int = 0
    # The items as built at the start (ids, shuffled option order, computed values), as JSON,
    # so a reload shows exactly the same quiz.
    items: str = "[]"
    settings: str = "{}"  # what the learner asked for (size, kinds, topics), as JSON
    correct: int = 0
    total: int = 0
    score: float | None = None  # 0..1 once finished


class QuizAnswer(SQLModel, table=True):
    """One answer to one item of an attempt; at most one per item."""

    __tablename__ = "quiz_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "item_index"),)

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("quiz_attempt.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    item_index: int
    answer: str | None = None  # JSON; None when the item timed out
    answered_at: datetime = Field(sa_type=UTCDateTime)
    correct: bool | None = None
    timed_out: bool = False
    self_score: float | None = None  # mock interviews: share of key points the learner ticked


class LoginAttempt(SQLModel, table=True):
    """Rate-limit events (failed logins and registrations, imports), counted in the database so
    limits hold across workers."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_key_at", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160)  # "ip:<address>", "user:<name>", "import:<user id>"...
    at: datetime = Field(sa_type=UTCDateTime)


class LabPrompt(SQLModel, table=True):
    """A preset whose "predict before you look" card this learner has answered or dismissed:
    the lab offers it at most once per preset per learner."""

    __tablename__ = "lab_prompt"
    __table_args__ = (UniqueConstraint("user_id", "preset"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    preset: str = Field(max_length=40)
    created_at: datetime = Field(sa_type=UTCDateTime)


class LabPrediction(SQLModel, table=True):
    """A learner's prediction in the lab before the result was shown, and whether it held."""

    __tablename__ = "lab_prediction"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    preset: str = Field(max_length=40)
    question: str = Field(max_length=200)
    answer: str = Field(max_length=200)
    correct: bool
    created_at: datetime = Field(sa_type=UTCDateTime)
