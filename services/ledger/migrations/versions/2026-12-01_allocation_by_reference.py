"""calculation records name their contributions by reference: an append-only, sequenced patronage

Revision ID: 0007_allocation_by_reference
Revises: 0006_opening_balances
Create Date: 2026-12-01

A proposal used to copy the sorted ids of every contribution behind it (16 MB for a million) and
hash them in Python. Patronage rows are now numbered (`seq`) and append-only, so a record names
its contributions exactly as "the period's patronage rows with seq <= patronage_through_seq":
as immutable as a copy, and reading it back gives the same set. Posting checks that nothing was
added after that mark with one index probe instead of a count. Records made before keep their
copied ids in allocation_contribution_ids.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_allocation_by_reference"
down_revision: str | None = "0006_opening_balances"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "ledger"


def upgrade() -> None:
    op.add_column("patronage", sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False), schema=S)
    op.create_index("ix_ledger_patronage_period_id_seq", "patronage", ["period_id", "seq"], schema=S)
    op.drop_index("ix_ledger_patronage_period_id_contribution_id", table_name="patronage", schema=S)
    op.execute(
        "CREATE TRIGGER patronage_append_only BEFORE UPDATE OR DELETE ON ledger.patronage"
        " FOR EACH ROW EXECUTE FUNCTION ledger.reject_journal_change()"
    )
    op.execute(
        "CREATE TRIGGER patronage_no_truncate BEFORE TRUNCATE ON ledger.patronage"
        " FOR EACH STATEMENT EXECUTE FUNCTION ledger.reject_journal_change()"
    )
    op.add_column("allocation", sa.Column("patronage_through_seq", sa.BigInteger(), nullable=True), schema=S)


def downgrade() -> None:
    op.drop_column("allocation", "patronage_through_seq", schema=S)
    op.execute("DROP TRIGGER patronage_no_truncate ON ledger.patronage")
    op.execute("DROP TRIGGER patronage_append_only ON ledger.patronage")
    op.create_index(
        "ix_ledger_patronage_period_id_contribution_id", "patronage", ["period_id", "contribution_id"], schema=S
    )
    op.drop_index("ix_ledger_patronage_period_id_seq", table_name="patronage", schema=S)
    op.drop_column("patronage", "seq", schema=S)
