"""intake dashboard: decided contributions ordered by time to decision, per period

Revision ID: 0003_decision_time_index
Revises: 0002_review
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_decision_time_index"
down_revision: str | None = "0002_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "contributions"
# The dashboard reads the 95th percentile from the top of this index instead of sorting every decision.
EXPRESSION = "date_part('epoch', decided_at - submitted_at)"
DECIDED = "status IN ('approved', 'rejected')"


def upgrade() -> None:
    op.create_index(
        "ix_contribution_decision_seconds",
        "contribution",
        ["period_id", sa.text(EXPRESSION)],
        schema=SCHEMA,
        postgresql_where=sa.text(DECIDED),
    )


def downgrade() -> None:
    op.drop_index("ix_contribution_decision_seconds", table_name="contribution", schema=SCHEMA)
