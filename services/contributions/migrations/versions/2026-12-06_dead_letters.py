"""dead letters: every message that died in one of this service's work queues, and what an operator did about it

Revision ID: 0009_dead_letters
Revises: 0008_imported_approvals
Create Date: 2026-12-06

Rows are the audit trail of dead letters (replays asked for and done, discards with their reason): the
runtime role may update them as a letter moves, but a trigger refuses to delete any.
"""

# History: the current text of the trigger functions and triggers below is in migrations/sql/invariants.sql.
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009_dead_letters"
down_revision: str | None = "0008_imported_approvals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "contributions"
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
