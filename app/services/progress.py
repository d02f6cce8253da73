"""The learner's progress: their rows read from the database and handed to app.study.stats.

Quiz attempts are read straight from the QuizAttempt table (finished ones with a score), so the
dashboard does not depend on the quiz feature's code.
"""

import json
from datetime import datetime

from sqlmodel import Session, col, select

from app.content import Deck
from app.models import CardState, QuizAttempt, ReviewLog, User
from app.repository import to_memory
from app.study import scheduling, stats
from app.study.days import zone
from app.study.memory import CardMemory


def review_rows(session: Session, user: User) -> list[stats.ReviewRow]:
    logs = session.exec(
        select(ReviewLog)
        .where(ReviewLog.user_id == user.id)
        .order_by(col(ReviewLog.reviewed_at), col(ReviewLog.id))
    ).all()
    return [_review_row(log) for log in logs]


def _review_row(log: ReviewLog) -> stats.ReviewRow:
    state_before = last_before = None
    if log.state_before:
        # The snapshot record_review keeps of the card before this rating (see services.reviews).
        before = CardMemory.from_dict(json.loads(log.state_before))
        state_before, last_before = before.state, before.last_review
    return stats.ReviewRow(
        card=log.card_slug,
        rating=log.rating,
        reviewed_at=log.reviewed_at,
        duration_ms=log.duration_ms,
        state_before=state_before,
        last_review_before=last_before,
        source=log.source,
    )


def card_records(session: Session, user: User) -> dict[str, stats.CardRecord]:
    rows = session.exec(select(CardState).where(CardState.user_id == user.id)).all()
    return {
        row.card_slug: stats.CardRecord(memory=to_memory(row), reps=row.reps, lapses=row.lapses)
        for row in rows
    }


def quiz_rows(session: Session, user: User) -> list[stats.QuizRow]:
    attempts = session.exec(
        select(QuizAttempt).where(
            QuizAttempt.user_id == user.id,
            col(QuizAttempt.finished_at).is_not(None),
            col(QuizAttempt.score).is_not(None),
        )
    ).all()
    return [stats.QuizRow(a.kind, a.finished_at, a.score) for a in attempts]


def progress_for(session: Session, user: User, deck: Deck, now: datetime) -> stats.Progress:
    return stats.progress(
        deck.slugs,
        card_records(session, user),
        review_rows(session, user),
        quiz_rows(session, user),
        zone(user.timezone),
        now,
        scheduling.make_scheduler(user.desired_retention, fuzz=False),
        interview_date=user.interview_date,
    )
