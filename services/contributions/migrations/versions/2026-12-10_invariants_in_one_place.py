"""the contributions service's trigger functions and triggers defined once, in migrations/sql/invariants.sql

Revision ID: 0010_invariants_in_one_place
Revises: 0009_dead_letters
Create Date: 2026-12-10

They were created in two migrations (0005, 0009). migrations/sql/invariants.sql now holds each as it is
(CREATE OR REPLACE: the definitions do not change) and this migration runs it; a migration that changes
an invariant edits that file and runs it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from habitat_common.sql_invariants import execute_sql_file

revision: str = "0010_invariants_in_one_place"
down_revision: str | None = "0009_dead_letters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    execute_sql_file(Path(__file__).parents[1] / "sql" / "invariants.sql")


def downgrade() -> None:
    pass  # the definitions it ran are those 0009_dead_letters left
