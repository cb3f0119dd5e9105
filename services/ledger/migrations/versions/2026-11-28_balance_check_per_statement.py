"""journal balance checked once per posting statement at commit, not once per posting

Revision ID: 0004_balance_check_per_statement
Revises: 0003_compact_contribution_ids
Create Date: 2026-11-28

The deferred constraint trigger fired for every posting row: posting an allocation for 10,000
members ran 40,000 balance queries at commit. A constraint trigger cannot be FOR EACH STATEMENT,
so a statement-level trigger (with the statement's new postings as a transition table) queues one
row naming the transactions it touched, and a deferred constraint trigger on that queue checks
them all with one grouped query at commit, then removes the row. Every posting is still checked
at commit, whether its transaction is new or not; an unbalanced transaction is still refused.
"""

# History: the current text of the trigger functions and triggers below is in migrations/sql/invariants.sql.
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_balance_check_per_statement"
down_revision: str | None = "0003_compact_contribution_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "ledger"

# asyncpg runs one statement per execute, hence tuples.
QUEUE_AND_CHECK = (
    """
CREATE FUNCTION ledger.queue_balance_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger.posting_balance_check (transaction_ids)
    SELECT array_agg(DISTINCT transaction_id) FROM new_postings HAVING count(*) > 0;
    RETURN NULL;
END
$$""",
    """
CREATE FUNCTION ledger.check_queued_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    off record;
BEGIN
    SELECT p.transaction_id, p.basis, sum(p.amount) AS total INTO off
      FROM ledger.posting p
     WHERE p.transaction_id IN (SELECT unnest(NEW.transaction_ids))
     GROUP BY p.transaction_id, p.basis
    HAVING sum(p.amount) <> 0
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal transaction % does not balance on the % basis (sum %)',
            off.transaction_id, off.basis, off.total USING ERRCODE = 'check_violation';
    END IF;
    DELETE FROM ledger.posting_balance_check WHERE id = NEW.id;
    RETURN NULL;
END
$$""",
    "DROP TRIGGER posting_balanced ON ledger.posting",
    """
CREATE TRIGGER posting_queue_balance_check AFTER INSERT ON ledger.posting
    REFERENCING NEW TABLE AS new_postings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.queue_balance_check()""",
    """
CREATE CONSTRAINT TRIGGER posting_balance_check_at_commit AFTER INSERT ON ledger.posting_balance_check
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger.check_queued_balance()""",
)

# the per-row trigger of 0001; its function ledger.check_transaction_balanced() was kept
PER_POSTING = """
CREATE CONSTRAINT TRIGGER posting_balanced AFTER INSERT ON ledger.posting
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger.check_transaction_balanced()"""


def upgrade() -> None:
    op.create_table(
        "posting_balance_check",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("transaction_ids", postgresql.ARRAY(postgresql.UUID(as_uuid=True)), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_posting_balance_check"),
        schema=S,
    )
    for statement in QUEUE_AND_CHECK:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER posting_queue_balance_check ON ledger.posting")
    op.drop_table("posting_balance_check", schema=S)  # its constraint trigger goes with it
    op.execute("DROP FUNCTION ledger.check_queued_balance()")
    op.execute("DROP FUNCTION ledger.queue_balance_check()")
    op.execute(PER_POSTING)
