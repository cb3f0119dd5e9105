"""Tables of period close, allocations, distributions, the member replica and pending events."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from habitat_ledger.adapters.schema import MONEY, metadata

ID = UUID(as_uuid=True)
TZ = DateTime(timezone=True)

member = Table(
    "member",
    metadata,
    Column("id", ID, primary_key=True),
    Column("email", Text, nullable=False),
    Column("display_name", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("updated_at", TZ, nullable=False),
)

# A member's stable number (the journal's equity:capital:M00001), given by triggers (migration 0012)
# the first time the ledger sees the member: a replica row or a capital account, whichever is first.
member_number = Table(
    "member_number",
    metadata,
    Column("member_id", ID, primary_key=True),
    Column("number", BigInteger, Identity(always=True), nullable=False, unique=True),
)

pending_event = Table(
    "pending_event",
    metadata,
    Column("id", ID, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("key", ID, nullable=False),
    Column("period_id", ID, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_at", TZ, nullable=False),
    Column("applied_at", TZ),
    UniqueConstraint("kind", "key"),
)

period_seal = Table(
    "period_seal",
    metadata,
    Column("period_id", ID, primary_key=True),
    Column("members", JSONB, nullable=False),
    Column("total_count", Integer, nullable=False),
    Column("total_value", Numeric, nullable=False),  # a sum of amounts: not bounded like one (migration 0015)
    Column("pending_count", Integer, nullable=False),
    Column("received_at", TZ, nullable=False),
)

allocation = Table(
    "allocation",
    metadata,
    Column("id", ID, primary_key=True),
    Column("period_id", ID, ForeignKey("ledger.period.id"), nullable=False),
    Column("status", Text, nullable=False),
    Column("surplus", MONEY, nullable=False),  # the book result; negative for a loss
    Column("tax_surplus", MONEY, nullable=False),  # the tax result (migration 0010: equal on older records)
    Column("weight_labor", Numeric(10, 4), nullable=False),
    Column("weight_capital", Numeric(10, 4), nullable=False),
    Column("weight_property", Numeric(10, 4), nullable=False),
    Column("cash_portion", Numeric(5, 2), nullable=False),
    Column("contribution_count", Integer, nullable=False),
    Column("content_hash", Text, nullable=False),
    Column("approvals_required", Integer, nullable=False),
    Column("proposed_by", ID, nullable=False),
    Column("proposed_at", TZ, nullable=False),
    Column("rejected_by", ID),
    Column("rejected_at", TZ),
    Column("rejection_reason", Text),
    Column("posted_at", TZ),
    # the record's contributions: the period's patronage rows numbered up to here (NULL on records
    # made before rows were numbered: those copied their ids into allocation_contribution_ids)
    Column("patronage_through_seq", BigInteger),
    CheckConstraint("status IN ('proposed', 'approved', 'rejected', 'posted')", name="status"),
    CheckConstraint("cash_portion BETWEEN 0 AND 100", name="cash_portion_percent"),
    CheckConstraint("surplus >= 0 OR cash_portion = 0", name="loss_has_no_cash_portion"),
    # at most one proposal per period is in play; a rejected one makes room for the next
    Index(
        "uq_allocation_one_active_per_period",
        "period_id",
        unique=True,
        postgresql_where=text("status IN ('proposed', 'approved', 'posted')"),
    ),
)

allocation_row = Table(
    "allocation_row",
    metadata,
    Column("allocation_id", ID, nullable=False),  # checked per statement by a trigger (migration 0008)
    Column("member_id", ID, nullable=False),
    Column("weighted_patronage", Numeric(asdecimal=True), nullable=False),
    Column("share", Numeric(11, 10), nullable=False),
    Column("allocation", MONEY, nullable=False),
    Column("cash_portion_amount", MONEY, nullable=False),
    Column("retained_amount", MONEY, nullable=False),
    Column("tax_allocation", MONEY, nullable=False),  # of the tax result (migration 0010: equal on older rows)
    PrimaryKeyConstraint("allocation_id", "member_id"),
)

# The contribution ids behind calculation records made before migration 0007 (no longer written):
# one row per allocation, the ids ascending and packed 16 bytes each (uuid_send).
allocation_contribution_ids = Table(
    "allocation_contribution_ids",
    metadata,
    Column("allocation_id", ID, ForeignKey("ledger.allocation.id"), primary_key=True),
    Column("ids", LargeBinary, nullable=False),
    CheckConstraint("length(ids) % 16 = 0", name="whole_ids"),
)

allocation_approval = Table(
    "allocation_approval",
    metadata,
    Column("allocation_id", ID, ForeignKey("ledger.allocation.id"), nullable=False),
    Column("approved_by", ID, nullable=False),
    Column("approved_at", TZ, nullable=False),
    PrimaryKeyConstraint("allocation_id", "approved_by"),
)

distribution = Table(
    "distribution",
    metadata,
    Column("id", ID, primary_key=True),
    Column("member_id", ID, nullable=False, index=True),
    Column("amount", MONEY, nullable=False),
    Column("method", Text, nullable=False),
    Column("scheduled_on", Date, nullable=False),
    Column("status", Text, nullable=False),
    Column("allocation_id", ID),  # checked per statement by a trigger (migration 0008)
    Column("created_by", ID, nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("reference", Text),
    Column("paid_on", Date),
    Column("completed_by", ID),
    Column("completed_at", TZ),
    Column("override_reason", Text),
    Column("cancelled_by", ID),
    Column("cancelled_at", TZ),
    Column("cancel_reason", Text),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("method IN ('ach', 'check', 'cash', 'other')", name="method"),
    CheckConstraint("status IN ('scheduled', 'completed', 'cancelled')", name="status"),
    # one scheduled cash distribution per member and allocation, whatever happens concurrently
    UniqueConstraint("allocation_id", "member_id"),
)
