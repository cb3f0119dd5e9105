"""member replica, preferences, the mail outbox (message), outbox, inbox, dead letters

Revision ID: 0001_initial
Revises:
Create Date: 2026-12-07
"""

# History: the current text of the trigger functions and triggers below is in migrations/sql/invariants.sql.
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "notifications"
UUID = postgresql.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)
KEPT = (
    f"""CREATE FUNCTION {S}.refuse_dead_letter_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{S}.dead_letter rows are the audit trail of dead letters: DELETE refused';
END $$""",
    f"""CREATE TRIGGER dead_letter_kept BEFORE DELETE ON {S}.dead_letter
    FOR EACH ROW EXECUTE FUNCTION {S}.refuse_dead_letter_delete()""",
)


def upgrade() -> None:
    op.create_table(
        "member_replica",
        sa.Column("member_id", UUID, nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("member_id", name="pk_member_replica"),
        schema=S,
    )
    op.create_table(
        "preference",
        sa.Column("member_id", UUID, nullable=False),
        sa.Column("decisions", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("reminders", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("updated_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("member_id", name="pk_preference"),
        schema=S,
    )
    op.create_table(
        "message",
        sa.Column("id", UUID, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("recipient_id", UUID, nullable=False),
        sa.Column("recipient_email", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("unsubscribe_url", sa.Text(), nullable=True),
        sa.Column("source_event_id", UUID, nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'queued'"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("sent_at", TZ, nullable=True),
        sa.Column("resend_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("resent_at", TZ, nullable=True),
        sa.Column("resent_by", UUID, nullable=True),
        sa.CheckConstraint("status IN ('queued', 'sent', 'failed', 'bounced')", name=op.f("ck_message_status_known")),
        sa.CheckConstraint("status <> 'queued' OR next_attempt_at IS NOT NULL", name=op.f("ck_message_queued_is_due")),
        sa.PrimaryKeyConstraint("id", name="pk_message"),
        sa.UniqueConstraint("source_event_id", "recipient_id", "kind", name="uq_message_source_event_id"),
        schema=S,
    )
    op.create_index(
        "ix_message_due", "message", ["next_attempt_at"], schema=S, postgresql_where=sa.text("status = 'queued'")
    )
    op.create_index("ix_message_created_at", "message", ["created_at", "id"], schema=S)
    op.create_index("ix_message_recipient_id", "message", ["recipient_id", "created_at"], schema=S)
    op.create_index("ix_message_status", "message", ["status", "created_at"], schema=S)
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("event_id", UUID, nullable=False),
        sa.Column("routing_key", sa.Text(), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("headers", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("published_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
        schema=S,
    )
    op.create_index(
        "ix_outbox_unpublished", "outbox", ["id"], schema=S, postgresql_where=sa.text("published_at IS NULL")
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("event_id", UUID, nullable=False),
        sa.Column("processed_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
        schema=S,
    )
    op.create_table(
        "dead_letter",
        sa.Column("id", UUID, nullable=False),
        sa.Column("queue", sa.Text(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=True),
        sa.Column("event_id", UUID, nullable=True),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("headers", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("dead_at", TZ, nullable=False),
        sa.Column("times_dead", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'dead'"), nullable=False),
        sa.Column("replay_requested_at", TZ, nullable=True),
        sa.Column("replay_requested_by", UUID, nullable=True),
        sa.Column("replayed_at", TZ, nullable=True),
        sa.Column("discarded_at", TZ, nullable=True),
        sa.Column("discarded_by", UUID, nullable=True),
        sa.Column("discard_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('dead', 'replay_requested', 'replayed', 'discarded')", name=op.f("ck_dead_letter_status_known")
        ),
        sa.CheckConstraint(
            "(status = 'discarded') = (discarded_at IS NOT NULL AND discard_reason IS NOT NULL)",
            name=op.f("ck_dead_letter_discard_recorded"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letter")),
        schema=S,
    )
    op.create_index("ix_dead_letter_queue_status", "dead_letter", ["queue", "status", "dead_at"], schema=S)
    op.create_index("ix_dead_letter_event", "dead_letter", ["queue", "event_id"], schema=S)
    for statement in KEPT:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("dead_letter", schema=S)  # its trigger goes with it
    op.execute(f"DROP FUNCTION {S}.refuse_dead_letter_delete()")
    for table in ("inbox", "outbox", "message", "preference", "member_replica"):
        op.drop_table(table, schema=S)
