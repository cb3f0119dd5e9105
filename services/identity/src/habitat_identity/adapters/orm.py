"""Tables of the identity schema, mapped imperatively onto the domain classes."""

from __future__ import annotations

from habitat_common.db import schema_metadata
from habitat_common.member_changes import member_change_table
from habitat_common.messaging.inbox import inbox_table
from habitat_common.messaging.outbox import outbox_table
from sqlalchemy import BigInteger, Boolean, Column, Date, DateTime, Index, Integer, Table, Text, event, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import registry

from habitat_identity.domain.model import Member, RefreshToken
from habitat_identity.domain.password_tokens import PasswordToken
from habitat_identity.domain.throttle import LoginThrottle

SCHEMA = "identity"
metadata = schema_metadata(SCHEMA)
mapper_registry = registry(metadata=metadata)

member = Table(
    "member",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("email", Text, nullable=False),
    Column("display_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("joined_at", Date, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("must_change_password", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("temporary_password_expires_at", DateTime(timezone=True)),
    Index("uq_member_email_lower", func.lower(text("email")), unique=True),
)

refresh_token = Table(
    "refresh_token",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("family_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("member_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("rotated_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("session_kind", Text, nullable=False, server_default="api"),
    Column("session_started_at", DateTime(timezone=True), nullable=False),
    Column("successor_sealed", Text),
)

# Reset and invitation links, stored as the sha256 of their token; a row is spent, superseded or expires.
password_token = Table(
    "password_token",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("purpose", Text, nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

signing_key = Table(
    "signing_key",
    metadata,
    Column("kid", Text, primary_key=True),
    Column("private_key_pem", Text, nullable=False),
    Column("public_jwk", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("retired_at", DateTime(timezone=True)),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("actor_id", UUID(as_uuid=True)),
    Column("action", Text, nullable=False),
    Column("subject_id", UUID(as_uuid=True), index=True),
    Column("before", JSONB),
    Column("after", JSONB),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
)

# Append-only feed the gateway polls to refuse access tokens of ended sessions before they expire.
revocation = Table(
    "revocation",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("member_id", UUID(as_uuid=True), nullable=False),
    Column("session_id", UUID(as_uuid=True)),
    Column("not_before", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now(), index=True),
)

login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", Text, primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", DateTime(timezone=True)),
    Column("window_started_at", DateTime(timezone=True)),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
# written by the triggers in migrations/sql/invariants.sql, read by the gateway's dashboard cache
member_change = member_change_table(metadata)

_mapped = False


def start_mappers() -> None:
    """Map the domain classes onto the tables (once per process)."""
    global _mapped
    if _mapped:
        return
    mapper_registry.map_imperatively(Member, member)
    mapper_registry.map_imperatively(RefreshToken, refresh_token)
    mapper_registry.map_imperatively(PasswordToken, password_token)
    mapper_registry.map_imperatively(LoginThrottle, login_throttle)
    _mapped = True


@event.listens_for(Member, "load")
def _init_events(target: Member, _context: object) -> None:
    # Loaded members skip __init__, so they need their own (empty) event list.
    target.events = []
