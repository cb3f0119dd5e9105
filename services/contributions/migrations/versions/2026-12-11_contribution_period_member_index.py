"""intake dashboard: a period's contributions by member, for who has (not) submitted

Revision ID: 0011_period_member_index
Revises: 0010_invariants_in_one_place
Create Date: 2026-12-11
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011_period_member_index"
down_revision: str | None = "0010_invariants_in_one_place"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "contributions"
# "Has this member a contribution in the period?" is asked for every active member; without this index each
# asks ix_contribution_member_id_submitted_at and walks the member's contributions of every period.
NAME = "ix_contribution_period_id_member_id"


def upgrade() -> None:
    op.create_index(NAME, "contribution", ["period_id", "member_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index(NAME, table_name="contribution", schema=SCHEMA)
