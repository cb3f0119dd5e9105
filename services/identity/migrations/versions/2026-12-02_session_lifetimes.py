"""sessions have an absolute lifetime and an idle timeout; a just-rotated refresh token answers once more

refresh_token.session_kind ('web' | 'api') picks the lifetimes; session_started_at is when the family
(the session) began; successor_sealed is the pair a refresh returned, encrypted with a key only the
presented refresh token yields, so a second tab racing the first gets the same pair.

Revision ID: 5e2b8c41d7a3
Revises: 3c1f0e7a9b42
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e2b8c41d7a3"
down_revision: str | None = "3c1f0e7a9b42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "refresh_token",
        sa.Column("session_kind", sa.Text(), nullable=False, server_default="api"),
        schema="identity",
    )
    op.add_column(
        "refresh_token", sa.Column("session_started_at", sa.DateTime(timezone=True), nullable=True), schema="identity"
    )
    op.add_column("refresh_token", sa.Column("successor_sealed", sa.Text(), nullable=True), schema="identity")
    # A session began with the first token of its family: existing sessions keep their real age.
    op.execute(
        "UPDATE identity.refresh_token AS t SET session_started_at = f.started"
        " FROM (SELECT family_id, min(created_at) AS started FROM identity.refresh_token GROUP BY family_id) AS f"
        " WHERE t.family_id = f.family_id"
    )
    op.alter_column("refresh_token", "session_started_at", nullable=False, schema="identity")


def downgrade() -> None:
    for column in ("successor_sealed", "session_started_at", "session_kind"):
        op.drop_column("refresh_token", column, schema="identity")
