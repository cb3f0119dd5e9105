"""money moves that need a second admin: completing a distribution, reversing, importing opening balances

Revision ID: 0013_money_moves
Revises: 0012_member_numbers
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013_money_moves"
down_revision: str | None = "0012_member_numbers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "ledger"
UUID = postgresql.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)
MONEY = sa.Numeric(14, 2)


def upgrade() -> None:
    op.create_table(
        "money_move",
        sa.Column("id", UUID, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("target_id", UUID, nullable=True),
        sa.Column("parameters", postgresql.JSONB(), nullable=False),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column("requested_by", UUID, nullable=False),
        sa.Column("requested_at", TZ, nullable=False),
        sa.Column("approvals_required", sa.Integer(), nullable=False),
        sa.Column("single_admin", sa.Boolean(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("rejected_by", UUID, nullable=True),
        sa.Column("rejected_at", TZ, nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("executed_at", TZ, nullable=True),
        sa.Column("result_id", UUID, nullable=True),
        sa.CheckConstraint(
            "kind IN ('complete_distribution', 'reverse_transaction', 'import_opening_balances')",
            name="ck_money_move_kind",
        ),
        sa.CheckConstraint("status IN ('requested', 'approved', 'executed', 'rejected')", name="ck_money_move_status"),
        sa.CheckConstraint(
            "approvals_required >= 2 OR (approvals_required = 1 AND single_admin)",
            name="ck_money_move_approvals_required",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_money_move"),
        schema=S,
    )
    op.create_index(
        "uq_money_move_one_open_per_target", "money_move", ["kind", "target_id"], unique=True, schema=S,
        postgresql_where=sa.text("status = 'requested' AND target_id IS NOT NULL"),
    )
    op.create_table(
        "money_move_approval",
        sa.Column("money_move_id", UUID, nullable=False),
        sa.Column("approved_by", UUID, nullable=False),
        sa.Column("approved_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["money_move_id"], [f"{S}.money_move.id"], name="fk_money_move_approval_money_move_id_money_move"
        ),
        sa.PrimaryKeyConstraint("money_move_id", "approved_by", name="pk_money_move_approval"),
        schema=S,
    )
    op.create_table(
        "money_move_import_row",
        sa.Column("money_move_id", UUID, nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("book", MONEY, nullable=False),
        sa.Column("tax", MONEY, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["money_move_id"], [f"{S}.money_move.id"], name="fk_money_move_import_row_money_move_id_money_move"
        ),
        sa.PrimaryKeyConstraint("money_move_id", "line", name="pk_money_move_import_row"),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("money_move_import_row", schema=S)
    op.drop_table("money_move_approval", schema=S)
    op.drop_index("uq_money_move_one_open_per_target", table_name="money_move", schema=S)
    op.drop_table("money_move", schema=S)
