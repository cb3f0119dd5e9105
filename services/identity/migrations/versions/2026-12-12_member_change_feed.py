"""the member change feed: member_change, written by triggers defined in migrations/sql/invariants.sql

Revision ID: 3c7f2a9d5e14
Revises: 8d4a6c2e1f90
Create Date: 2026-12-12
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from habitat_common.member_changes import create_member_change_table, drop_member_change_feed
from habitat_common.sql_invariants import execute_sql_file

revision: str = "3c7f2a9d5e14"
down_revision: str | None = "8d4a6c2e1f90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_member_change_table("identity")
    execute_sql_file(Path(__file__).parents[1] / "sql" / "invariants.sql")


def downgrade() -> None:
    drop_member_change_feed("identity", ("note_members",))
