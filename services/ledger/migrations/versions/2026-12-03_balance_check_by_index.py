"""the commit-time balance check looks its transactions' postings up by index, whatever the table's size

Revision ID: 0009_balance_check_by_index
Revises: 0008_references_per_statement
Create Date: 2026-12-03

check_queued_balance() found a statement's postings with `transaction_id IN (SELECT unnest(ids))`.
PL/pgSQL caches a generic plan for it, which estimates 10 ids; once the posting table had grown it
chose a merge join that reads the whole posting index at every commit (850,000 entries for 666
transactions, 0.2 s, under the patronage-total locks that an import's batches share), so booking an
import slowed down as the ledger grew: a 1,000,000-row import took ~10 minutes to book. `= ANY(ids)`
is an index condition: one index lookup per transaction, the same rows, the same refusal.
"""

# History: the current text of the trigger functions and triggers below is in migrations/sql/invariants.sql.
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009_balance_check_by_index"
down_revision: str | None = "0008_references_per_statement"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = """
CREATE OR REPLACE FUNCTION ledger.check_queued_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    off record;
BEGIN
    SELECT p.transaction_id, p.basis, sum(p.amount) AS total INTO off
      FROM ledger.posting p
     WHERE p.transaction_id {condition}
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
$$"""


def upgrade() -> None:
    op.execute(CHECK.format(condition="= ANY (NEW.transaction_ids)"))


def downgrade() -> None:
    op.execute(CHECK.format(condition="IN (SELECT unnest(NEW.transaction_ids))"))
