"""review_log.answer and answer_points; card_mark; user.extra_new_cards and extra_new_day

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

A review may now carry the answer the learner typed before revealing (at most 4,000 characters)
and the key points they kept ticked. A learner's marks on a card (suspended, a coloured flag, a
note of at most 5,000 characters) live in their own table, so a card never studied can be marked
too. "Study N more new cards today" is kept on the user as a count and the study day it is for.
All are additions: existing rows keep their data (answers and marks start empty, no extension).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer", sa.String(length=4000), nullable=True))
        batch_op.add_column(sa.Column("answer_points", sa.String(length=64), nullable=True))
    # In place, never a copy of "user" (see downgrade): both databases add a column directly.
    op.add_column(
        "user", sa.Column("extra_new_cards", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("user", sa.Column("extra_new_day", sa.Date(), nullable=True))
    op.create_table(
        "card_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("card_slug", sa.String(length=80), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("flag", sa.String(length=8), nullable=True),
        sa.Column("note", sa.String(length=5000), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "card_slug"),
    )
    op.create_index(op.f("ix_card_mark_user_id"), "card_mark", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_card_mark_user_id"), table_name="card_mark")
    op.drop_table("card_mark")
    # Not a batch (copy-and-drop) on SQLite: dropping the old "user" table would cascade and
    # delete every row that references it. SQLite 3.35+ and PostgreSQL drop a column in place.
    op.execute('ALTER TABLE "user" DROP COLUMN extra_new_day')
    op.execute('ALTER TABLE "user" DROP COLUMN extra_new_cards')
    with op.batch_alter_table("review_log", schema=None) as batch_op:
        batch_op.drop_column("answer_points")
        batch_op.drop_column("answer")
