"""patronage indexed by (period_id, contribution_id): a period's ids come out sorted

Revision ID: 0005_patronage_period_ids
Revises: 0004_balance_check_per_statement
Create Date: 2026-11-29

Proposing an allocation packs the period's contribution ids in ascending order. With the ids
in an index after the period they are read by an index-only scan already sorted, instead of
sorting a million of them per proposal. The index replaces the one on period_id alone (its prefix).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005_patronage_period_ids"
down_revision: str | None = "0004_balance_check_per_statement"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "ledger"


def upgrade() -> None:
    op.create_index(
        "ix_ledger_patronage_period_id_contribution_id", "patronage", ["period_id", "contribution_id"], schema=S
    )
    op.drop_index("ix_ledger_patronage_period_id", table_name="patronage", schema=S)


def downgrade() -> None:
    op.create_index("ix_ledger_patronage_period_id", "patronage", ["period_id"], schema=S)
    op.drop_index("ix_ledger_patronage_period_id_contribution_id", table_name="patronage", schema=S)
