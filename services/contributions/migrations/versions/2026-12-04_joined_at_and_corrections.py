"""the member replica keeps when a member joined; corrections of a contribution are found by index

Revision ID: 0007_joined_at_corrections
Revises: 0006_import_event_batches
Create Date: 2026-12-04

contributed_on may not be before the member's joining date (identity's member events carry it; members
replicated before this revision have none until their next event and are not limited). A correction is
bounded by its original plus the original's approved corrections, summed at submission and approval.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_joined_at_corrections"
down_revision: str | None = "0006_import_event_batches"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "contributions"


def upgrade() -> None:
    op.add_column("member_replica", sa.Column("joined_at", sa.Date()), schema=SCHEMA)
    op.create_index(
        "ix_contribution_corrects_contribution_id",
        "contribution",
        ["corrects_contribution_id"],
        schema=SCHEMA,
        postgresql_where=sa.text("corrects_contribution_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_contribution_corrects_contribution_id", "contribution", schema=SCHEMA)
    op.drop_column("member_replica", "joined_at", schema=SCHEMA)
