"""Tables of money moves waiting for (or done with) a second admin, their approvals and kept import rows."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from habitat_ledger.adapters.schema import MONEY, metadata

ID = UUID(as_uuid=True)
TZ = DateTime(timezone=True)

money_move = Table(
    "money_move",
    metadata,
    Column("id", ID, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("target_id", ID),  # the distribution or transaction; NULL for an import
    Column("parameters", JSONB, nullable=False),
    Column("content_hash", Text, nullable=False),
    Column("requested_by", ID, nullable=False),
    Column("requested_at", TZ, nullable=False),
    Column("approvals_required", Integer, nullable=False),
    # the audit of a co-op set up as single-admin: this move went through on one admin
    Column("single_admin", Boolean, nullable=False),
    Column("status", Text, nullable=False),
    Column("rejected_by", ID),
    Column("rejected_at", TZ),
    Column("rejection_reason", Text),
    Column("executed_at", TZ),
    Column("result_id", ID),  # the distribution paid, the reversing transaction, the import
    CheckConstraint(
        "kind IN ('complete_distribution', 'reverse_transaction', 'import_opening_balances')", name="kind"
    ),
    CheckConstraint("status IN ('requested', 'approved', 'executed', 'rejected')", name="status"),
    CheckConstraint("approvals_required >= 2 OR (approvals_required = 1 AND single_admin)", name="approvals_required"),
    # one undecided request per distribution or transaction, whatever happens concurrently
    Index(
        "uq_money_move_one_open_per_target",
        "kind",
        "target_id",
        unique=True,
        postgresql_where=text("status = 'requested' AND target_id IS NOT NULL"),
    ),
)

money_move_approval = Table(
    "money_move_approval",
    metadata,
    Column("money_move_id", ID, ForeignKey("ledger.money_move.id"), nullable=False),
    Column("approved_by", ID, nullable=False),
    Column("approved_at", TZ, nullable=False),
    PrimaryKeyConstraint("money_move_id", "approved_by"),
)

# the validated rows of an opening-balance import, kept so the approval imports exactly them
money_move_import_row = Table(
    "money_move_import_row",
    metadata,
    Column("money_move_id", ID, ForeignKey("ledger.money_move.id"), nullable=False),
    Column("line", Integer, nullable=False),
    Column("email", Text, nullable=False),
    Column("book", MONEY, nullable=False),
    Column("tax", MONEY, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("note", Text),
    PrimaryKeyConstraint("money_move_id", "line"),
)
