"""reminders: period and contribution replicas, the reminder run record

Revision ID: 0002_reminders
Revises: 0001_initial
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_reminders"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "notifications"
UUID = postgresql.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "period_replica",
        sa.Column("period_id", UUID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("period_id", name="pk_period_replica"),
        schema=S,
    )
    op.create_table(
        "contribution_replica",
        sa.Column("contribution_id", UUID, nullable=False),
        sa.Column("member_id", UUID, nullable=False),
        sa.Column("period_id", UUID, nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("submitted_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("contribution_id", name="pk_contribution_replica"),
        schema=S,
    )
    op.create_index("ix_contribution_replica_period_id", "contribution_replica", ["period_id", "member_id"], schema=S)
    op.create_index(
        "ix_contribution_replica_undecided",
        "contribution_replica",
        ["submitted_at"],
        schema=S,
        postgresql_where=sa.text("status IN ('pending', 'clarification_requested')"),
    )
    op.create_table(
        "reminder_run",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("ran_at", TZ, nullable=False),
        sa.Column("triggered_by", UUID, nullable=True),
        sa.Column("mailed", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_reminder_run"),
        schema=S,
    )


def downgrade() -> None:
    for table in ("reminder_run", "contribution_replica", "period_replica"):
        op.drop_table(table, schema=S)
