"""opening balances: a co-op equity account kind to balance them, and a record of each import

Revision ID: 0006_opening_balances
Revises: 0005_patronage_period_ids
Create Date: 2026-11-30

Opening balances carried from a previous system credit member capital; the other side is the
co-op's opening-balance equity (account kind coop_opening_equity), not cash it never received.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_opening_balances"
down_revision: str | None = "0005_patronage_period_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "ledger"
UUID = postgresql.UUID(as_uuid=True)
OLD_KINDS = "kind IN ('member_capital', 'coop_cash', 'coop_property', 'coop_surplus')"
NEW_KINDS = "kind IN ('member_capital', 'coop_cash', 'coop_property', 'coop_surplus', 'coop_opening_equity')"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_account_kind"), "account", schema=S, type_="check")
    op.create_check_constraint(op.f("ck_account_kind"), "account", NEW_KINDS, schema=S)
    op.create_table(
        "capital_import",
        sa.Column("id", UUID, nullable=False),
        sa.Column("imported_by", UUID, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("book_total", sa.Numeric(14, 2), nullable=False),
        sa.Column("tax_total", sa.Numeric(14, 2), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_capital_import"),
        schema=S,
    )


def downgrade() -> None:
    # refused (check violation) once an opening-balance equity account exists: the journal is append-only
    op.drop_table("capital_import", schema=S)
    op.drop_constraint(op.f("ck_account_kind"), "account", schema=S, type_="check")
    op.create_check_constraint(op.f("ck_account_kind"), "account", OLD_KINDS, schema=S)
