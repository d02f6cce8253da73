"""card_state.fsrs_due: FSRS's own due date beside the one capped for an interview

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

Until now only the capped due date was stored, so clearing an interview date could not give a
card its FSRS due back. Existing rows start with fsrs_due = due (the best value they have: a
card capped before this migration gets FSRS's own date back at its next rating).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("card_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fsrs_due", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE card_state SET fsrs_due = due")
    with op.batch_alter_table("card_state", schema=None) as batch_op:
        batch_op.alter_column("fsrs_due", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("card_state", schema=None) as batch_op:
        batch_op.drop_column("fsrs_due")
