"""Tables of the notifications schema, mapped imperatively onto the pure domain classes."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import registry

from habitat_common.db import schema_metadata
from habitat_common.messaging.dead_letter_store import dead_letter_table
from habitat_common.messaging.inbox import inbox_table
from habitat_common.messaging.outbox import outbox_table
from habitat_notifications.domain.messages import Message
from habitat_notifications.domain.preferences import Preferences
from habitat_notifications.domain.replicas import ContributionReplica, MemberReplica, PeriodReplica

SCHEMA = "notifications"
metadata = schema_metadata(SCHEMA)
mapper_registry = registry(metadata=metadata)
TZ = DateTime(timezone=True)
STATUSES = ("queued", "sent", "failed", "bounced")

member_replica = Table(
    "member_replica",
    metadata,
    Column("member_id", UUID(as_uuid=True), primary_key=True),
    Column("email", Text),
    Column("display_name", Text),
    Column("status", Text),
    Column("role", Text),
    Column("updated_at", TZ, nullable=False),
)

preference = Table(
    "preference",
    metadata,
    Column("member_id", UUID(as_uuid=True), primary_key=True),
    Column("decisions", Boolean, nullable=False, server_default=text("true")),
    Column("reminders", Boolean, nullable=False, server_default=text("true")),
    Column("updated_at", TZ),
)

# The mail outbox: written in the consumer's transaction, sent by the sender loop. Bodies are kept as sent.
message = Table(
    "message",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("kind", Text, nullable=False),
    Column("recipient_id", UUID(as_uuid=True), nullable=False),
    Column("recipient_email", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("text_body", Text, nullable=False),
    Column("html_body", Text, nullable=False),
    Column("unsubscribe_url", Text),
    Column("source_event_id", UUID(as_uuid=True), nullable=False),
    Column("status", Text, nullable=False, server_default=text("'queued'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", TZ),
    Column("last_error", Text),
    Column("created_at", TZ, nullable=False),
    Column("sent_at", TZ),
    Column("resend_count", Integer, nullable=False, server_default=text("0")),
    Column("resent_at", TZ),
    Column("resent_by", UUID(as_uuid=True)),
    UniqueConstraint("source_event_id", "recipient_id", "kind", name="uq_message_source_event_id"),
    CheckConstraint("status IN ('queued', 'sent', 'failed', 'bounced')", name="status_known"),
    CheckConstraint("status <> 'queued' OR next_attempt_at IS NOT NULL", name="queued_is_due"),
    Index("ix_message_due", "next_attempt_at", postgresql_where=text("status = 'queued'")),
    Index("ix_message_created_at", "created_at", "id"),
    Index("ix_message_recipient_id", "recipient_id", "created_at"),
    Index("ix_message_status", "status", "created_at"),
)

period_replica = Table(
    "period_replica",
    metadata,
    Column("period_id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("status", Text, nullable=False),
    Column("updated_at", TZ, nullable=False),
)

contribution_replica = Table(
    "contribution_replica",
    metadata,
    Column("contribution_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", UUID(as_uuid=True), nullable=False),
    Column("period_id", UUID(as_uuid=True), nullable=False),
    Column("status", Text, nullable=False),
    Column("submitted_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
    Index("ix_contribution_replica_period_id", "period_id", "member_id"),
    Index(
        "ix_contribution_replica_undecided",
        "submitted_at",
        postgresql_where=text("status IN ('pending', 'clarification_requested')"),
    ),
)

# One row per reminder slot: the unique key is what makes a slot run once across workers and triggers.
reminder_run = Table(
    "reminder_run",
    metadata,
    Column("kind", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("id", UUID(as_uuid=True), nullable=False),
    Column("ran_at", TZ, nullable=False),
    Column("triggered_by", UUID(as_uuid=True)),
    Column("mailed", Integer, nullable=False, server_default=text("0")),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
dead_letter = dead_letter_table(metadata)


def start_mappers() -> None:
    """Map the domain classes once per process (idempotent)."""
    if mapper_registry.mappers:
        return
    mapper_registry.map_imperatively(MemberReplica, member_replica)
    mapper_registry.map_imperatively(Preferences, preference)
    mapper_registry.map_imperatively(Message, message)
    mapper_registry.map_imperatively(PeriodReplica, period_replica)
    mapper_registry.map_imperatively(ContributionReplica, contribution_replica)
