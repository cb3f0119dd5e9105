"""Tables of the contributions schema, mapped imperatively onto the pure domain classes."""

from __future__ import annotations

from enum import Enum

from sqlalchemy import Column, Date, DateTime, Index, Numeric, Table, Text
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import registry

from habitat_common.db import schema_metadata
from habitat_common.messaging.inbox import inbox_table
from habitat_common.messaging.outbox import outbox_table
from habitat_contributions.domain.model import Contribution, ContributionStatus, ContributionType
from habitat_contributions.domain.replicas import MemberReplica, PeriodReplica

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
    Index("ix_contribution_member_id", "member_id"),
    Index("ix_contribution_period_id", "period_id"),
    Index("ix_contribution_status_submitted_at", "status", "submitted_at"),
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


def start_mappers() -> None:
    """Map the domain classes once per process (idempotent)."""
    if mapper_registry.mappers:
        return
    mapper_registry.map_imperatively(Contribution, contribution)
    mapper_registry.map_imperatively(MemberReplica, member_replica)
    mapper_registry.map_imperatively(PeriodReplica, period_replica)
