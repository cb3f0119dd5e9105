"""contribution, member and period replicas, outbox, inbox

Revision ID: 0001_initial
Revises:
Create Date: 2026-01-15
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "contributions"


def _money(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.Numeric(14, 2), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "contribution",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("member_id", UUID(as_uuid=True), nullable=False),
        sa.Column("period_id", UUID(as_uuid=True), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("contributed_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("hours", sa.Numeric(5, 2), nullable=True),
        _money("rate"),
        _money("amount"),
        _money("fair_market_value"),
        _money("adjusted_basis"),
        _money("value", nullable=False),
        _money("book_amount", nullable=False),
        _money("tax_amount", nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", UUID(as_uuid=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_contribution"),
        sa.CheckConstraint("type IN ('labor', 'capital', 'property')", name="ck_contribution_type"),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'clarification_requested')",
            name="ck_contribution_status",
        ),
        sa.CheckConstraint(
            "type <> 'labor' OR (hours > 0 AND hours <= 24 AND rate IS NOT NULL AND book_amount = 0 AND tax_amount = 0)",
            name="ck_contribution_labor_is_not_capital",
        ),
        schema=SCHEMA,
    )
    op.create_index("ix_contribution_member_id", "contribution", ["member_id"], schema=SCHEMA)
    op.create_index("ix_contribution_period_id", "contribution", ["period_id"], schema=SCHEMA)
    op.create_index("ix_contribution_status_submitted_at", "contribution", ["status", "submitted_at"], schema=SCHEMA)
    op.create_table(
        "member_replica",
        sa.Column("member_id", UUID(as_uuid=True), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("member_id", name="pk_member_replica"),
        schema=SCHEMA,
    )
    op.create_table(
        "period_replica",
        sa.Column("period_id", UUID(as_uuid=True), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("period_id", name="pk_period_replica"),
        schema=SCHEMA,
    )
    op.create_index("ix_period_replica_starts_on_ends_on", "period_replica", ["starts_on", "ends_on"], schema=SCHEMA)
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("routing_key", sa.Text(), nullable=False),
        sa.Column("payload", JSONB(), nullable=False),
        sa.Column("headers", JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_outbox_unpublished", "outbox", ["id"], schema=SCHEMA, postgresql_where=sa.text("published_at IS NULL")
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("inbox", schema=SCHEMA)
    op.drop_index("ix_outbox_unpublished", table_name="outbox", schema=SCHEMA)
    op.drop_table("outbox", schema=SCHEMA)
    op.drop_index("ix_period_replica_starts_on_ends_on", table_name="period_replica", schema=SCHEMA)
    op.drop_table("period_replica", schema=SCHEMA)
    op.drop_table("member_replica", schema=SCHEMA)
    op.drop_index("ix_contribution_status_submitted_at", table_name="contribution", schema=SCHEMA)
    op.drop_index("ix_contribution_period_id", table_name="contribution", schema=SCHEMA)
    op.drop_index("ix_contribution_member_id", table_name="contribution", schema=SCHEMA)
    op.drop_table("contribution", schema=SCHEMA)
