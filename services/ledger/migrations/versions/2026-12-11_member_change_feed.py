"""the member change feed: member_change, written by a trigger defined in migrations/sql/invariants.sql

Revision ID: 0017_member_change_feed
Revises: 0016_invariants_in_one_place
Create Date: 2026-12-11
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from habitat_common.member_changes import create_member_change_table, drop_member_change_feed
from habitat_common.sql_invariants import execute_sql_file

revision: str = "0017_member_change_feed"
down_revision: str | None = "0016_invariants_in_one_place"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_member_change_table("ledger")
    execute_sql_file(Path(__file__).parents[1] / "sql" / "invariants.sql")


def downgrade() -> None:
    drop_member_change_feed("ledger", ("note_capital_holders",))
