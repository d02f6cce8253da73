"""A learner's marks on cards (suspended, flag, note): reads and the two writes, per user."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.content.render import render_note
from app.models import CardMark, User
from app.study.marks import Flag

UNSET = object()  # a field the request left out: it stays as it is


@dataclass(frozen=True, slots=True)
class Marks:
    card: str
    suspended: bool
    flag: Flag | None
    note: str | None  # Markdown
    note_html: str | None
    updated_at: datetime | None

    @classmethod
    def of(cls, slug: str, row: CardMark | None) -> "Marks":
        if row is None:
            return cls(slug, False, None, None, None, None)
        note = row.note or None
        return cls(
            slug,
            row.suspended,
            Flag(row.flag) if row.flag else None,
            note,
            render_note(note) if note else None,
            row.updated_at,
        )


def rows(session: Session, user_id: int) -> dict[str, CardMark]:
    found = session.exec(select(CardMark).where(CardMark.user_id == user_id)).all()
    return {row.card_slug: row for row in found}


def of_card(session: Session, user_id: int, slug: str) -> Marks:
    row = session.exec(
        select(CardMark).where(CardMark.user_id == user_id, CardMark.card_slug == slug)
    ).first()
    return Marks.of(slug, row)


def suspended(session: Session, user_id: int) -> frozenset[str]:
    """The slugs this learner suspended: they leave every queue and quiz."""
    found = session.exec(
        select(CardMark.card_slug).where(CardMark.user_id == user_id, CardMark.suspended)
    ).all()
    return frozenset(found)


def _write(session: Session, user: User, slug: str, now: datetime, change) -> Marks:
    """Apply `change` to the card's row (made if missing); a concurrent first write is retried."""
    for _ in range(3):
        row = session.exec(
            select(CardMark).where(CardMark.user_id == user.id, CardMark.card_slug == slug)
        ).first()
        if row is None:
            row = CardMark(user_id=user.id, card_slug=slug, updated_at=now)
        change(row)
        row.updated_at = now
        session.add(row)
        try:
            session.commit()
        except IntegrityError:  # another request made the row first: apply on top of it
            session.rollback()
            continue
        session.refresh(row)
        return Marks.of(slug, row)
    raise RuntimeError("card marks kept changing")  # pragma: no cover - needs three races


def set_flags(
    session: Session, user: User, slug: str, now: datetime, *, suspended=UNSET, flag=UNSET
) -> Marks:
    def change(row: CardMark) -> None:
        if suspended is not UNSET:
            row.suspended = bool(suspended)
        if flag is not UNSET:
            row.flag = None if flag is None else Flag(flag).value

    return _write(session, user, slug, now, change)


def set_note(session: Session, user: User, slug: str, text: str, now: datetime) -> Marks:
    """The note's new text; blank text removes the note."""

    def change(row: CardMark) -> None:
        row.note = text.strip() or None

    return _write(session, user, slug, now, change)
