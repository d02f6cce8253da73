"""lab_prompt and user.lab_predict: "predict before you look" asked once per preset, with an
off switch

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

Existing learners keep the prompt on (server default true) and have been asked nothing yet.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy of "user": on SQLite that would drop the old table and,
    # with foreign keys on, cascade to every row that references it).
    op.add_column(
        "user", sa.Column("lab_predict", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.create_table(
        "lab_prompt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("preset", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "preset"),
    )
    with op.batch_alter_table("lab_prompt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lab_prompt_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("lab_prompt")
    op.drop_column("user", "lab_predict")  # plain DROP COLUMN, for the reason given above
