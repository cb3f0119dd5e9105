"""totals of many amounts are unbounded: a period's sealed total and a capital import's totals

Revision ID: 0015_unbounded_totals
Revises: 0014_dead_letters
Create Date: 2026-12-09

One amount is at most NUMERIC(14, 2); a sum of several may pass that bound, and these columns refused
it (the seal's consumer failed on every delivery, so such a period could never be proposed). Like
patronage_total.value they are plain NUMERIC now; the values are unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_unbounded_totals"
down_revision: str | None = "0014_dead_letters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "ledger"
COLUMNS = (("period_seal", "total_value"), ("capital_import", "book_total"), ("capital_import", "tax_total"))


def upgrade() -> None:
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=sa.Numeric(), existing_nullable=False, schema=S)


def downgrade() -> None:
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=sa.Numeric(14, 2), existing_nullable=False, schema=S)
