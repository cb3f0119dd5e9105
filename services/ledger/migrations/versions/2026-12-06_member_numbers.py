"""a stable member number per member, for the accountant's journal

Revision ID: 0012_member_numbers
Revises: 0011_k1_issue
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.dialects import postgresql

revision: str = "0012_member_numbers"
down_revision: str | None = "0011_k1_issue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "ledger"
UUID = postgresql.UUID(as_uuid=True)


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
