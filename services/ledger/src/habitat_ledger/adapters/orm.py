"""Tables of the `ledger` schema, mapped imperatively onto the domain classes.

The database enforces what must never be violated even by a buggy caller: no overlapping periods
(an exclusion constraint), postings that balance per basis at commit and an append-only journal
(triggers). Those live in the migrations as raw SQL; these tables describe the columns.
"""

from __future__ import annotations

from habitat_common.member_changes import member_change_table
from habitat_common.messaging.dead_letter_store import dead_letter_table
from habitat_common.messaging.inbox import inbox_table
from habitat_common.messaging.outbox import outbox_table
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Numeric,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import foreign, registry, relationship

from habitat_ledger.adapters import (
    import_tables,  # noqa: F401 - its tables belong to this metadata
    k1_tables,  # noqa: F401 - its tables belong to this metadata
    money_move_tables,  # noqa: F401 - its tables belong to this metadata
)
from habitat_ledger.adapters.close_tables import distribution
from habitat_ledger.adapters.schema import MONEY, SCHEMA, metadata
from habitat_ledger.domain.distributions.distribution import Distribution
from habitat_ledger.domain.journal.contribution import Patronage
from habitat_ledger.domain.journal.transactions import Account, JournalTransaction, Posting
from habitat_ledger.domain.periods.period import Period

__all__ = ["SCHEMA", "metadata", "start_mappers"]

period = Table(
    "period",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("status", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", UUID(as_uuid=True), nullable=False),
    Column("closing_at", DateTime(timezone=True)),
    Column("closing_by", UUID(as_uuid=True)),
    Column("closed_at", DateTime(timezone=True)),
    CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
    CheckConstraint("status IN ('open', 'closing', 'closed')", name="status"),
)

account = Table(
    "account",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("code", Text, nullable=False, unique=True),
    Column("kind", Text, nullable=False),
    Column("member_id", UUID(as_uuid=True), index=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(
        "kind IN ('member_capital', 'coop_cash', 'coop_property', 'coop_surplus', 'coop_opening_equity')", name="kind"
    ),
    CheckConstraint("(kind = 'member_capital') = (member_id IS NOT NULL)", name="member_iff_capital"),
)

journal_transaction = Table(
    "journal_transaction",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("source_type", Text, nullable=False),
    Column("source_id", UUID(as_uuid=True), nullable=False),
    Column("reverses_id", UUID(as_uuid=True), ForeignKey("ledger.journal_transaction.id")),
    Column("occurred_on", Date, nullable=False, index=True),
    Column("description", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("member_id", UUID(as_uuid=True), index=True),
    Column("recorded_by", UUID(as_uuid=True)),
    # a source is booked once per member (an allocation has one transaction per member)
    UniqueConstraint("source_type", "source_id", "member_id", postgresql_nulls_not_distinct=True),
    UniqueConstraint("reverses_id"),
    CheckConstraint(
        "source_type IN ('contribution', 'allocation', 'distribution', 'opening_balance', 'reversal')",
        name="source_type",
    ),
)

# transaction_id and account_id are checked once per statement by a trigger, not by foreign keys
# (migration 0008), so the joins name their conditions (POSTINGS_WITH_ACCOUNTS).
posting = Table(
    "posting",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("transaction_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("account_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("basis", Text, nullable=False),
    Column("amount", MONEY, nullable=False),
    CheckConstraint("basis IN ('book', 'tax')", name="basis"),
)
POSTINGS_WITH_ACCOUNTS = posting.join(journal_transaction, posting.c.transaction_id == journal_transaction.c.id).join(
    account, posting.c.account_id == account.c.id
)

# transactions touched by one posting statement, checked for balance at commit (see migration 0004)
posting_balance_check = Table(
    "posting_balance_check",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("transaction_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
)

patronage = Table(
    "patronage",
    metadata,
    Column("contribution_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("period_id", UUID(as_uuid=True), ForeignKey("ledger.period.id"), nullable=False),
    Column("type", Text, nullable=False),
    Column("value", MONEY, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("corrects_contribution_id", UUID(as_uuid=True)),
    # numbers rows in insert order: a calculation record names its rows as those up to a number
    Column("seq", BigInteger, Identity(always=True), nullable=False),
    CheckConstraint("type IN ('labor', 'capital', 'property')", name="type"),
    Index("ix_ledger_patronage_period_id_seq", "period_id", "seq"),
)

# Running totals of patronage per period, member and type, kept by a trigger (migration 0007).
patronage_total = Table(
    "patronage_total",
    metadata,
    Column("period_id", UUID(as_uuid=True), ForeignKey("ledger.period.id"), primary_key=True),
    Column("member_id", UUID(as_uuid=True), primary_key=True),
    Column("type", Text, primary_key=True),
    Column("count", BigInteger, nullable=False),
    Column("value", Numeric, nullable=False),
    Column("id_digest", Numeric, nullable=False),
    Column("through_seq", BigInteger, nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
# written by the triggers in migrations/sql/invariants.sql, read by the gateway's dashboard cache
member_change = member_change_table(metadata)
dead_letter = dead_letter_table(metadata)

mapper_registry = registry(metadata=metadata)


def start_mappers() -> None:
    """Map the domain classes onto the tables (once per process)."""
    if getattr(Period, "__mapper__", None) is not None:
        return
    mapper_registry.map_imperatively(Period, period)
    mapper_registry.map_imperatively(Account, account)
    mapper_registry.map_imperatively(Posting, posting)
    mapper_registry.map_imperatively(
        JournalTransaction,
        journal_transaction,
        properties={
            "postings": relationship(
                Posting,
                lazy="raise",
                order_by=posting.c.id,
                primaryjoin=journal_transaction.c.id == foreign(posting.c.transaction_id),
            )
        },
    )
    mapper_registry.map_imperatively(Patronage, patronage, exclude_properties=["seq"])
    mapper_registry.map_imperatively(Distribution, distribution)
