"""calculation records name their contributions by reference: append-only, numbered patronage with running totals

Revision ID: 0007_allocation_by_reference
Revises: 0006_opening_balances
Create Date: 2026-12-01

A proposal used to copy the sorted ids of every contribution behind it (16 MB for a million) and
hash them in Python. Patronage rows are now numbered (`seq`) and append-only, so a record names
its contributions exactly as "the period's patronage rows with seq <= patronage_through_seq":
as immutable as a copy, and reading it back gives the same set. Posting checks that nothing was
added after that mark with one index probe instead of a count. Records made before keep their
copied ids in allocation_contribution_ids.

patronage_total keeps, per period, member and type, the count, sum, id digest and highest seq of
the rows, added to by a statement trigger on every insert (patronage is never updated or
deleted), so a proposal reads thousands of totals instead of scanning millions of rows. The
ledger's integrity check compares them with a fresh GROUP BY.
"""

# History: the current text of the trigger functions and triggers below is in migrations/sql/invariants.sql.
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_allocation_by_reference"
down_revision: str | None = "0006_opening_balances"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "ledger"

ADD_TOTALS = """
CREATE FUNCTION ledger.add_patronage_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- in key order, so that concurrent inserts lock the totals they share in the same order
    INSERT INTO ledger.patronage_total AS t (period_id, member_id, type, count, value, id_digest, through_seq)
    SELECT period_id, member_id, type, count(*), sum(value), sum(uuid_hash_extended(contribution_id, 0)), max(seq)
      FROM added GROUP BY period_id, member_id, type ORDER BY period_id, member_id, type
    ON CONFLICT (period_id, member_id, type) DO UPDATE
       SET count = t.count + excluded.count, value = t.value + excluded.value,
           id_digest = t.id_digest + excluded.id_digest, through_seq = greatest(t.through_seq, excluded.through_seq);
    RETURN NULL;
END
$$"""
TOTALS_TRIGGER = (
    "CREATE TRIGGER patronage_totals AFTER INSERT ON ledger.patronage REFERENCING NEW TABLE AS added"
    " FOR EACH STATEMENT EXECUTE FUNCTION ledger.add_patronage_totals()"
)
BACKFILL = (
    "INSERT INTO ledger.patronage_total (period_id, member_id, type, count, value, id_digest, through_seq)"
    " SELECT period_id, member_id, type, count(*), sum(value), sum(uuid_hash_extended(contribution_id, 0)), max(seq)"
    " FROM ledger.patronage GROUP BY period_id, member_id, type"
)


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
    op.create_table(
        "patronage_total",
        sa.Column("period_id", sa.UUID(), nullable=False),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Numeric(), nullable=False),
        sa.Column("id_digest", sa.Numeric(), nullable=False),
        sa.Column("through_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["period_id"], [f"{S}.period.id"], name="fk_patronage_total_period_id_period"),
        sa.PrimaryKeyConstraint("period_id", "member_id", "type", name="pk_patronage_total"),
        schema=S,
    )
    op.execute(ADD_TOTALS)
    op.execute(TOTALS_TRIGGER)
    op.execute(BACKFILL)


def downgrade() -> None:
    op.execute("DROP TRIGGER patronage_totals ON ledger.patronage")
    op.execute("DROP FUNCTION ledger.add_patronage_totals()")
    op.drop_table("patronage_total", schema=S)
    op.drop_column("allocation", "patronage_through_seq", schema=S)
    op.execute("DROP TRIGGER patronage_no_truncate ON ledger.patronage")
    op.execute("DROP TRIGGER patronage_append_only ON ledger.patronage")
    op.create_index(
        "ix_ledger_patronage_period_id_contribution_id", "patronage", ["period_id", "contribution_id"], schema=S
    )
    op.drop_index("ix_ledger_patronage_period_id_seq", table_name="patronage", schema=S)
    op.drop_column("patronage", "seq", schema=S)
