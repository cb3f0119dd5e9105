"""allocations of a loss, and book and tax results allocated each on its own

Revision ID: 0010_loss_allocation
Revises: 0009_balance_check_by_index
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.dialects import postgresql

revision: str = "0010_loss_allocation"
down_revision: str | None = "0009_balance_check_by_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "ledger"
UUID = postgresql.UUID(as_uuid=True)


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
