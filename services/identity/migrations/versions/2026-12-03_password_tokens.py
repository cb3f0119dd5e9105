"""reset and invitation links: identity.password_token

Revision ID: 8d4a6c2e1f90
Revises: 5e2b8c41d7a3
Create Date: 2026-12-03 19:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "8d4a6c2e1f90"
down_revision: str | None = "5e2b8c41d7a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "password_token",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("member_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_token_token_hash")),
        schema="identity",
    )
    op.create_index(
        op.f("ix_identity_password_token_member_id"), "password_token", ["member_id"], unique=False, schema="identity"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_identity_password_token_member_id"), table_name="password_token", schema="identity")
    op.drop_table("password_token", schema="identity")
