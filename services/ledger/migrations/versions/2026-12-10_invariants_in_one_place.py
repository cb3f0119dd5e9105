"""the ledger's trigger functions and triggers defined once, in migrations/sql/invariants.sql

Revision ID: 0016_invariants_in_one_place
Revises: 0015_unbounded_totals
Create Date: 2026-12-10

They were created and redefined across seven migrations, so their current text was nowhere in one
piece. migrations/sql/invariants.sql now holds each as it is (CREATE OR REPLACE: the definitions do
not change) and this migration runs it; a migration that changes an invariant edits that file and runs
it again. ledger.check_transaction_balanced(), unused since 0004 replaced its per-posting trigger, is
dropped (the downgrade puts it back, for 0004's downgrade).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from alembic import op
from habitat_common.sql_invariants import execute_sql_file

revision: str = "0016_invariants_in_one_place"
down_revision: str | None = "0015_unbounded_totals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INVARIANTS = Path(__file__).parents[1] / "sql" / "invariants.sql"


def upgrade() -> None:
    execute_sql_file(INVARIANTS)
    op.execute("DROP FUNCTION ledger.check_transaction_balanced()")


def downgrade() -> None:
    # the definitions stay (they are those of 0015); only the unused function comes back, as 0001 made it
    spec = importlib.util.spec_from_file_location(
        "create_ledger", Path(__file__).with_name("2026-11-25_create_ledger.py")
    )
    create_ledger = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(create_ledger)
    op.execute(create_ledger.BALANCED[0])
