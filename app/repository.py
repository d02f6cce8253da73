"""Reads of per-user state, always scoped to one user, turned into the study layer's types."""

from datetime import datetime

import fsrs
from sqlmodel import Session, select

from app.models import CardState
from app.study.memory import CardMemory
from app.study.status import CardStatus, status_of


def card_states(session: Session, user_id: int) -> dict[str, CardState]:
    rows = session.exec(select(CardState).where(CardState.user_id == user_id)).all()
    return {row.card_slug: row for row in rows}


def to_memory(row: CardState) -> fsrs.Card:
    return CardMemory.of(row).to_fsrs()


def statuses(
    session: Session, user_id: int, slugs: tuple[str, ...], now: datetime
) -> dict[str, CardStatus]:
    """Every card's status for this user, in the order of `slugs` (new where never reviewed)."""
    return statuses_of(card_states(session, user_id), slugs, now)


def memories_of(rows: dict[str, CardState]) -> dict[str, fsrs.Card]:
    return {slug: to_memory(row) for slug, row in rows.items()}


def statuses_of(
    rows: dict[str, CardState], slugs: tuple[str, ...], now: datetime
) -> dict[str, CardStatus]:
    out = {}
    for slug in slugs:
        row = rows.get(slug)
        memory = to_memory(row) if row else None
        out[slug] = status_of(
            memory, now, reps=row.reps if row else 0, lapses=row.lapses if row else 0
        )
    return out
