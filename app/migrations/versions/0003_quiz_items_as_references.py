"""quiz attempts store references into the deck instead of rendered items

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

Each stored item becomes the reference `app.study.quiz.Item.to_ref` writes: a card item's id and
shown option order, a computed item's template and seed, a mock question's card. Every field the
reference needs was already in the stored item, so no attempt loses anything the app reads; the
rendered text is dropped (it is rebuilt from the deck on read). Going down keeps the references:
the text cannot be restored without the deck, and the older code cannot read them, so a
downgrade past this revision is for an empty or test database.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def to_ref(item: dict) -> dict:
    """The reference for one item stored by an earlier version (already a reference: as is)."""
    kind = item.get("kind")
    if "prompt" not in item:
        return item
    if kind in ("mcq", "true_false"):
        ref = {"kind": kind, "item": item.get("source")}
        if kind == "mcq":
            ref["order"] = list(item.get("order") or [])
        return ref
    if kind == "computed":
        return {"kind": kind, "template": item.get("template"), "seed": item.get("seed")}
    return {"kind": kind, "card": item.get("card")}


def upgrade() -> None:
    attempts = sa.table("quiz_attempt", sa.column("id", sa.Integer), sa.column("items", sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(attempts.c.id, attempts.c["items"])).all()
    for attempt_id, items in rows:
        try:
            stored = json.loads(items)
        except ValueError:
            continue  # unreadable before too: the app shows it as removed items
        if not isinstance(stored, list):
            continue
        refs = [to_ref(i) if isinstance(i, dict) else i for i in stored]
        conn.execute(
            attempts.update().where(attempts.c.id == attempt_id).values(items=json.dumps(refs))
        )


def downgrade() -> None:
    pass
