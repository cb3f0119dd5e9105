"""period close, allocations, distributions, member replica, pending events

Revision ID: 0002_close_and_distributions
Revises: 0001_create_ledger
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_close_and_distributions"
down_revision: str | None = "0001_create_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "ledger"
UUID = postgresql.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)
MONEY = sa.Numeric(14, 2)
OLD_KINDS = "kind IN ('member_capital', 'coop_cash', 'coop_property')"
NEW_KINDS = "kind IN ('member_capital', 'coop_cash', 'coop_property', 'coop_surplus')"
ACTIVE = "status IN ('proposed', 'approved', 'posted')"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_account_kind"), "account", schema=S, type_="check")
    op.create_check_constraint(op.f("ck_account_kind"), "account", NEW_KINDS, schema=S)

    op.add_column("journal_transaction", sa.Column("member_id", UUID, nullable=True), schema=S)
    op.add_column("journal_transaction", sa.Column("recorded_by", UUID, nullable=True), schema=S)
    op.drop_constraint("uq_journal_transaction_source_type", "journal_transaction", schema=S, type_="unique")
    op.create_unique_constraint(
        "uq_journal_transaction_source_type",
        "journal_transaction",
        ["source_type", "source_id", "member_id"],
        schema=S,
        postgresql_nulls_not_distinct=True,
    )
    op.create_unique_constraint(
        "uq_journal_transaction_reverses_id", "journal_transaction", ["reverses_id"], schema=S
    )
    op.create_index("ix_ledger_journal_transaction_member_id", "journal_transaction", ["member_id"], schema=S)

    op.add_column("patronage", sa.Column("corrects_contribution_id", UUID, nullable=True), schema=S)
    for column in ("closing_at", "closed_at"):
        op.add_column("period", sa.Column(column, TZ, nullable=True), schema=S)
    op.add_column("period", sa.Column("closing_by", UUID, nullable=True), schema=S)

    op.create_table(
        "member",
        sa.Column("id", UUID, nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_member"),
        schema=S,
    )
    op.create_table(
        "pending_event",
        sa.Column("id", UUID, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("key", UUID, nullable=False),
        sa.Column("period_id", UUID, nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.Column("applied_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_pending_event"),
        sa.UniqueConstraint("kind", "key", name="uq_pending_event_kind"),
        schema=S,
    )
    op.create_table(
        "period_seal",
        sa.Column("period_id", UUID, nullable=False),
        sa.Column("members", postgresql.JSONB(), nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("total_value", MONEY, nullable=False),
        sa.Column("pending_count", sa.Integer(), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("period_id", name="pk_period_seal"),
        schema=S,
    )
    op.create_table(
        "allocation",
        sa.Column("id", UUID, nullable=False),
        sa.Column("period_id", UUID, nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("surplus", MONEY, nullable=False),
        sa.Column("weight_labor", sa.Numeric(10, 4), nullable=False),
        sa.Column("weight_capital", sa.Numeric(10, 4), nullable=False),
        sa.Column("weight_property", sa.Numeric(10, 4), nullable=False),
        sa.Column("cash_portion", sa.Numeric(5, 2), nullable=False),
        sa.Column("contribution_count", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column("approvals_required", sa.Integer(), nullable=False),
        sa.Column("proposed_by", UUID, nullable=False),
        sa.Column("proposed_at", TZ, nullable=False),
        sa.Column("rejected_by", UUID, nullable=True),
        sa.Column("rejected_at", TZ, nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("posted_at", TZ, nullable=True),
        sa.CheckConstraint(
            "status IN ('proposed', 'approved', 'rejected', 'posted')", name=op.f("ck_allocation_status")
        ),
        sa.CheckConstraint("cash_portion BETWEEN 0 AND 100", name=op.f("ck_allocation_cash_portion_percent")),
        sa.ForeignKeyConstraint(["period_id"], [f"{S}.period.id"], name="fk_allocation_period_id_period"),
        sa.PrimaryKeyConstraint("id", name="pk_allocation"),
        schema=S,
    )
    op.create_index(
        "uq_allocation_one_active_per_period",
        "allocation",
        ["period_id"],
        unique=True,
        schema=S,
        postgresql_where=sa.text(ACTIVE),
    )
    op.create_table(
        "allocation_row",
        sa.Column("allocation_id", UUID, nullable=False),
        sa.Column("member_id", UUID, nullable=False),
        sa.Column("weighted_patronage", sa.Numeric(), nullable=False),
        sa.Column("share", sa.Numeric(11, 10), nullable=False),
        sa.Column("allocation", MONEY, nullable=False),
        sa.Column("cash_portion_amount", MONEY, nullable=False),
        sa.Column("retained_amount", MONEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["allocation_id"], [f"{S}.allocation.id"], name="fk_allocation_row_allocation_id_allocation"
        ),
        sa.PrimaryKeyConstraint("allocation_id", "member_id", name="pk_allocation_row"),
        schema=S,
    )
    op.create_table(
        "allocation_contribution",
        sa.Column("allocation_id", UUID, nullable=False),
        sa.Column("contribution_id", UUID, nullable=False),
        sa.PrimaryKeyConstraint("allocation_id", "contribution_id", name="pk_allocation_contribution"),
        schema=S,
    )
    op.create_table(
        "allocation_approval",
        sa.Column("allocation_id", UUID, nullable=False),
        sa.Column("approved_by", UUID, nullable=False),
        sa.Column("approved_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["allocation_id"], [f"{S}.allocation.id"], name="fk_allocation_approval_allocation_id_allocation"
        ),
        sa.PrimaryKeyConstraint("allocation_id", "approved_by", name="pk_allocation_approval"),
        schema=S,
    )
    op.create_table(
        "distribution",
        sa.Column("id", UUID, nullable=False),
        sa.Column("member_id", UUID, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("scheduled_on", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("allocation_id", UUID, nullable=True),
        sa.Column("created_by", UUID, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("completed_by", UUID, nullable=True),
        sa.Column("completed_at", TZ, nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("cancelled_by", UUID, nullable=True),
        sa.Column("cancelled_at", TZ, nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_distribution_amount_positive")),
        sa.CheckConstraint("method IN ('ach', 'check', 'cash', 'other')", name=op.f("ck_distribution_method")),
        sa.CheckConstraint(
            "status IN ('scheduled', 'completed', 'cancelled')", name=op.f("ck_distribution_status")
        ),
        sa.ForeignKeyConstraint(
            ["allocation_id"], [f"{S}.allocation.id"], name="fk_distribution_allocation_id_allocation"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_distribution"),
        sa.UniqueConstraint("allocation_id", "member_id", name="uq_distribution_allocation_id"),
        schema=S,
    )
    op.create_index("ix_ledger_distribution_member_id", "distribution", ["member_id"], schema=S)


def downgrade() -> None:
    op.drop_index("ix_ledger_distribution_member_id", table_name="distribution", schema=S)
    op.drop_table("distribution", schema=S)
    op.drop_table("allocation_approval", schema=S)
    op.drop_table("allocation_contribution", schema=S)
    op.drop_table("allocation_row", schema=S)
    op.drop_index("uq_allocation_one_active_per_period", table_name="allocation", schema=S)
    op.drop_table("allocation", schema=S)
    op.drop_table("period_seal", schema=S)
    op.drop_table("pending_event", schema=S)
    op.drop_table("member", schema=S)
    op.drop_column("period", "closing_by", schema=S)
    for column in ("closed_at", "closing_at"):
        op.drop_column("period", column, schema=S)
    op.drop_column("patronage", "corrects_contribution_id", schema=S)
    op.drop_index("ix_ledger_journal_transaction_member_id", table_name="journal_transaction", schema=S)
    op.drop_constraint("uq_journal_transaction_reverses_id", "journal_transaction", schema=S, type_="unique")
    op.drop_constraint("uq_journal_transaction_source_type", "journal_transaction", schema=S, type_="unique")
    op.create_unique_constraint(
        "uq_journal_transaction_source_type", "journal_transaction", ["source_type", "source_id"], schema=S
    )
    op.drop_column("journal_transaction", "recorded_by", schema=S)
    op.drop_column("journal_transaction", "member_id", schema=S)
    op.drop_constraint(op.f("ck_account_kind"), "account", schema=S, type_="check")
    op.create_check_constraint(op.f("ck_account_kind"), "account", OLD_KINDS, schema=S)
