"""review: corrections, dual approval, revisions, thread, idempotency keys, dashboard indexes

Revision ID: 0002_review
Revises: 0001_initial
Create Date: 2026-02-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0002_review"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "contributions"
LABOR_OLD = "type <> 'labor' OR (hours > 0 AND hours <= 24 AND rate IS NOT NULL AND book_amount = 0 AND tax_amount = 0)"
# A correction may remove hours (negative, never zero).
LABOR_NEW = (
    "type <> 'labor' OR (hours <> 0 AND hours >= -24 AND hours <= 24 "
    "AND (hours > 0 OR corrects_contribution_id IS NOT NULL) "
    "AND rate IS NOT NULL AND book_amount = 0 AND tax_amount = 0)"
)


def upgrade() -> None:
    op.add_column("contribution", sa.Column("corrects_contribution_id", UUID(as_uuid=True)), schema=SCHEMA)
    op.add_column(
        "contribution",
        sa.Column("approvals_required", sa.SmallInteger(), nullable=False, server_default="1"),
        schema=SCHEMA,
    )
    op.alter_column("contribution", "approvals_required", server_default=None, schema=SCHEMA)
    op.drop_constraint(op.f("ck_contribution_ck_contribution_labor_is_not_capital"), "contribution", schema=SCHEMA)
    op.create_check_constraint("labor_is_not_capital", "contribution", LABOR_NEW, schema=SCHEMA)
    op.drop_index("ix_contribution_member_id", table_name="contribution", schema=SCHEMA)
    op.drop_index("ix_contribution_period_id", table_name="contribution", schema=SCHEMA)
    op.create_index("ix_contribution_period_id_status", "contribution", ["period_id", "status"], schema=SCHEMA)
    op.create_index(
        "ix_contribution_member_id_submitted_at", "contribution", ["member_id", "submitted_at"], schema=SCHEMA
    )
    op.create_table(
        "contribution_approval",
        sa.Column("contribution_id", UUID(as_uuid=True), nullable=False),
        sa.Column("reviewer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("contribution_id", "reviewer_id", name="pk_contribution_approval"),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            [f"{SCHEMA}.contribution.id"],
            name="fk_contribution_approval_contribution_id_contribution",
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "contribution_revision",
        sa.Column("contribution_id", UUID(as_uuid=True), nullable=False),
        sa.Column("number", sa.SmallInteger(), nullable=False),
        sa.Column("fields", JSONB(), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_by", UUID(as_uuid=True), nullable=False),
        sa.PrimaryKeyConstraint("contribution_id", "number", name="pk_contribution_revision"),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            [f"{SCHEMA}.contribution.id"],
            name="fk_contribution_revision_contribution_id_contribution",
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "contribution_message",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("contribution_id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("author_id", UUID(as_uuid=True), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contribution_message"),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            [f"{SCHEMA}.contribution.id"],
            name="fk_contribution_message_contribution_id_contribution",
        ),
        sa.CheckConstraint("kind IN ('question', 'answer', 'note')", name="kind"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_contribution_message_contribution_id", "contribution_message", ["contribution_id"], schema=SCHEMA
    )
    op.create_table(
        "idempotency_key",
        sa.Column("member_id", UUID(as_uuid=True), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("contribution_id", UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "key", name="pk_idempotency_key"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("idempotency_key", schema=SCHEMA)
    op.drop_index("ix_contribution_message_contribution_id", table_name="contribution_message", schema=SCHEMA)
    op.drop_table("contribution_message", schema=SCHEMA)
    op.drop_table("contribution_revision", schema=SCHEMA)
    op.drop_table("contribution_approval", schema=SCHEMA)
    op.drop_index("ix_contribution_member_id_submitted_at", table_name="contribution", schema=SCHEMA)
    op.drop_index("ix_contribution_period_id_status", table_name="contribution", schema=SCHEMA)
    op.create_index("ix_contribution_period_id", "contribution", ["period_id"], schema=SCHEMA)
    op.create_index("ix_contribution_member_id", "contribution", ["member_id"], schema=SCHEMA)
    op.drop_constraint(op.f("ck_contribution_labor_is_not_capital"), "contribution", schema=SCHEMA)
    op.create_check_constraint("ck_contribution_labor_is_not_capital", "contribution", LABOR_OLD, schema=SCHEMA)
    op.drop_column("contribution", "approvals_required", schema=SCHEMA)
    op.drop_column("contribution", "corrects_contribution_id", schema=SCHEMA)
