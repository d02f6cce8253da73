"""Study control: more new cards today than the daily limit ("Study N more new cards today")."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, update
from sqlmodel import Session, col

from app import errors
from app.models import User
from app.study.days import study_date, zone

MAX_EXTEND = 50  # one request
MAX_EXTRA_PER_DAY = 100  # all requests of one study day together


class ExtendError(errors.DomainError, ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message, status=422)


@dataclass(frozen=True, slots=True)
class Extended:
    extra_today: int  # new cards allowed today beyond the usual limit


def extend_new_cards(session: Session, user: User, n: int, now: datetime) -> Extended:
    """Allow `n` more new cards on the learner's current study day (their 4 am day).

    One UPDATE adds to today's allowance (or starts it), so two tabs extending at once both
    count; the daily cap is checked in the same statement."""
    today = study_date(now, zone(user.timezone))
    total = case((col(User.extra_new_day) == today, col(User.extra_new_cards) + n), else_=n)
    result = session.execute(
        update(User)
        .where(col(User.id) == user.id, total <= MAX_EXTRA_PER_DAY)
        .values(extra_new_cards=total, extra_new_day=today)
    )
    session.commit()
    session.refresh(user)
    if result.rowcount != 1:
        already = user.extra_new_cards if user.extra_new_day == today else 0
        raise ExtendError(
            f"new_cards: at most {MAX_EXTRA_PER_DAY} extra new cards a day; "
            f"{already} already added today"
        )
    return Extended(user.extra_new_cards)
