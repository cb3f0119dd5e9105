"""Tables of the contributions schema, mapped imperatively onto the pure domain classes."""

from __future__ import annotations

from enum import Enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import foreign, registry, relationship

from habitat_common.db import schema_metadata
from habitat_common.member_changes import member_change_table
from habitat_common.messaging.dead_letter_store import dead_letter_table
from habitat_common.messaging.inbox import inbox_table
from habitat_common.messaging.outbox import outbox_table
from habitat_contributions.domain.model import Approval, Contribution, Revision, ThreadEntry
from habitat_contributions.domain.replicas import MemberReplica, PeriodReplica
from habitat_contributions.domain.statuses import ContributionStatus, ContributionType

SCHEMA = "contributions"
metadata = schema_metadata(SCHEMA)
mapper_registry = registry(metadata=metadata)


def _enum(enum: type[Enum], name: str) -> SqlEnum:
    # Stored as text; the CHECK constraint lives in the migration.
    return SqlEnum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


def _money() -> Numeric:
    return Numeric(14, 2, asdecimal=True)


contribution_import = Table(
    "contribution_import",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("imported_by", UUID(as_uuid=True), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("created_count", Integer, nullable=False),
)
# The ContributionsImportedV1 events of an import, committed with it as ids and written to the outbox by the
# worker afterwards (import_write_sql.STAGE_EVENTS); envelope is the event's JSON with two slots for its id and payload.
import_event_batch = Table(
    "import_event_batch",
    metadata,
    Column("import_id", UUID(as_uuid=True), ForeignKey(contribution_import.c.id), primary_key=True),
    Column("batch", Integer, primary_key=True),
    Column("batches", Integer, nullable=False),
    Column("contribution_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
    Column("envelope", Text, nullable=False),
    Column("headers", JSONB, nullable=False),
    Column("staged_at", DateTime(timezone=True)),
    Index("ix_import_event_batch_pending", "import_id", "batch", postgresql_where=text("staged_at IS NULL")),
)

contribution = Table(
    "contribution",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", UUID(as_uuid=True), nullable=False),
    Column("period_id", UUID(as_uuid=True), nullable=False),
    Column("type", _enum(ContributionType, "contribution_type"), nullable=False),
    Column("contributed_on", Date, nullable=False),
    Column("description", Text, nullable=False),
    Column("hours", Numeric(5, 2)),
    Column("rate", _money()),
    Column("amount", _money()),
    Column("fair_market_value", _money()),
    Column("adjusted_basis", _money()),
    Column("value", _money(), nullable=False),
    Column("book_amount", _money(), nullable=False),
    Column("tax_amount", _money(), nullable=False),
    Column("status", _enum(ContributionStatus, "contribution_status"), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", UUID(as_uuid=True)),
    Column("decision_note", Text),
    Column("corrects_contribution_id", UUID(as_uuid=True)),
    Column("approvals_required", SmallInteger, nullable=False),
    # Set on imported contributions: the file's natural key (the id is derived from it) and the import run
    # (no foreign key: a per-row check costs a third of a second on a 100,000-row import).
    Column("import_reference", Text),
    Column("import_id", UUID(as_uuid=True)),
    UniqueConstraint("import_reference"),
    Index("ix_contribution_period_id_status", "period_id", "status"),
    # whether a member has submitted in a period (the intake dashboard's counts and who has not submitted)
    Index("ix_contribution_period_id_member_id", "period_id", "member_id"),
    Index("ix_contribution_member_id_submitted_at", "member_id", "submitted_at"),
    Index("ix_contribution_status_submitted_at", "status", "submitted_at"),
    # every contribution newest first (a steward's unfiltered list, keyset paged by (submitted_at, id))
    Index("ix_contribution_submitted_at_id", "submitted_at", "id"),
    # the corrections of a contribution, summed when one is submitted or approved (rule 10)
    Index(
        "ix_contribution_corrects_contribution_id",
        "corrects_contribution_id",
        postgresql_where=text("corrects_contribution_id IS NOT NULL"),
    ),
)
# Decided contributions of a period ordered by seconds to decision (the intake dashboard's p95).
DECISION_SECONDS = "date_part('epoch', decided_at - submitted_at)"
DECIDED_PREDICATE = "status IN ('approved', 'rejected')"
Index(
    "ix_contribution_decision_seconds",
    contribution.c.period_id,
    text(DECISION_SECONDS),
    postgresql_where=text(DECIDED_PREDICATE),
)


def _parent() -> Column:
    # checked once per statement by a trigger, not a foreign key (migration 0005): the relationships below
    # name their join
    return Column("contribution_id", UUID(as_uuid=True), primary_key=True)


contribution_approval = Table(
    "contribution_approval",
    metadata,
    _parent(),
    Column("reviewer_id", UUID(as_uuid=True), primary_key=True),
    Column("approved_at", DateTime(timezone=True), nullable=False),
    Column("note", Text),
    # a historical approval written by an import: the admin who imported it (migration 0008)
    Column("imported", Boolean, nullable=False, server_default=text("false")),
    Column("imported_by", UUID(as_uuid=True)),
)

contribution_revision = Table(
    "contribution_revision",
    metadata,
    _parent(),
    Column("number", SmallInteger, primary_key=True),
    Column("fields", JSONB, nullable=False),
    Column("edited_at", DateTime(timezone=True), nullable=False),
    Column("edited_by", UUID(as_uuid=True), nullable=False),
)

contribution_message = Table(
    "contribution_message",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("contribution_id", UUID(as_uuid=True), ForeignKey("contribution.id"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("author_id", UUID(as_uuid=True), nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=False),
    Column("text", Text, nullable=False),
    Index("ix_contribution_message_contribution_id", "contribution_id"),
)

idempotency_key = Table(
    "idempotency_key",
    metadata,
    Column("member_id", UUID(as_uuid=True), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("contribution_id", UUID(as_uuid=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

member_replica = Table(
    "member_replica",
    metadata,
    Column("member_id", UUID(as_uuid=True), primary_key=True),
    Column("email", Text),
    Column("display_name", Text),
    Column("role", Text),
    Column("status", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("joined_at", Date),
)

period_replica = Table(
    "period_replica",
    metadata,
    Column("period_id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("status", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_period_replica_starts_on_ends_on", "starts_on", "ends_on"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
# written by the triggers in migrations/sql/invariants.sql, read by the gateway's dashboard cache
member_change = member_change_table(metadata)
dead_letter = dead_letter_table(metadata)


def start_mappers() -> None:
    """Map the domain classes once per process (idempotent)."""
    if mapper_registry.mappers:
        return
    mapper_registry.map_imperatively(
        Approval, contribution_approval, properties={"at": contribution_approval.c.approved_at}
    )
    mapper_registry.map_imperatively(Revision, contribution_revision)
    mapper_registry.map_imperatively(
        ThreadEntry,
        contribution_message,
        properties={"by": contribution_message.c.author_id, "at": contribution_message.c.written_at},
    )
    children = {"lazy": "selectin", "cascade": "all, delete-orphan"}
    mapper_registry.map_imperatively(
        Contribution,
        contribution,
        properties={
            "approvals": relationship(
                Approval,
                order_by=contribution_approval.c.approved_at,
                primaryjoin=contribution.c.id == foreign(contribution_approval.c.contribution_id),
                **children,
            ),
            "revisions": relationship(
                Revision,
                order_by=contribution_revision.c.number,
                primaryjoin=contribution.c.id == foreign(contribution_revision.c.contribution_id),
                **children,
            ),
            "thread": relationship(ThreadEntry, order_by=contribution_message.c.id, **children),
        },
    )
    mapper_registry.map_imperatively(MemberReplica, member_replica)
    mapper_registry.map_imperatively(PeriodReplica, period_replica)
