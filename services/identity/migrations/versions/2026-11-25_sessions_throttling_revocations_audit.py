"""sessions, sign-in throttling, revocation feed; audit entries without a member subject

Revision ID: f747507ef376
Revises: db7307760cae
Create Date: 2026-11-25 22:00:37.339480
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f747507ef376"
down_revision: str | None = "db7307760cae"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
        schema="identity",
    )
    op.create_table(
        "revocation",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("session_id", sa.UUID(), nullable=True),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revocation")),
        schema="identity",
    )
    op.create_index(
        op.f("ix_identity_revocation_created_at"), "revocation", ["created_at"], unique=False, schema="identity"
    )
    op.alter_column("audit_log", "subject_id", existing_type=sa.UUID(), nullable=True, schema="identity")
    op.create_index(op.f("ix_identity_audit_log_at"), "audit_log", ["at"], unique=False, schema="identity")


def downgrade() -> None:
    op.drop_index(op.f("ix_identity_audit_log_at"), table_name="audit_log", schema="identity")
    # Entries about no member (imports, key rotations) cannot exist in the older schema.
    op.execute("DELETE FROM identity.audit_log WHERE subject_id IS NULL")
    op.alter_column("audit_log", "subject_id", existing_type=sa.UUID(), nullable=False, schema="identity")
    op.drop_index(op.f("ix_identity_revocation_created_at"), table_name="revocation", schema="identity")
    op.drop_table("revocation", schema="identity")
    op.drop_table("login_throttle", schema="identity")
