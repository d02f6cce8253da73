"""Database tables. Only per-user state lives here; cards are content, addressed by slug.

Every per-user table references `user.id` with ON DELETE CASCADE, so deleting a user deletes
everything they own. Times are UTC (see UTCDateTime).
"""

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
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
    due: datetime = Field(sa_type=UTCDateTime)
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
