"""temporary passwords expire: member.temporary_password_expires_at

Revision ID: 3c1f0e7a9b42
Revises: f747507ef376
Create Date: 2026-12-02 16:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c1f0e7a9b42"
down_revision: str | None = "f747507ef376"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "member", sa.Column("temporary_password_expires_at", sa.DateTime(timezone=True), nullable=True), schema="identity"
    )
    # Temporary passwords handed out before this release get the default week from now, not from their
    # issue, so nobody is locked out by the upgrade itself.
    op.execute(
        "UPDATE identity.member SET temporary_password_expires_at = now() + interval '7 days'"
        " WHERE must_change_password"
    )


def downgrade() -> None:
    op.drop_column("member", "temporary_password_expires_at", schema="identity")
