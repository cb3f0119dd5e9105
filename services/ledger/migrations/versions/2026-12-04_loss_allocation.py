"""allocations of a loss, and book and tax results allocated each on its own

Revision ID: 0010_loss_allocation
Revises: 0009_balance_check_by_index
Create Date: 2026-12-04

A calculation record keeps the tax result beside the book result (allocation.tax_surplus) and each
row its allocation of it (allocation_row.tax_allocation). Records made before results could differ
get the tax figures equal to the book ones, which is what was posted for them on the tax basis.
Nothing forbade a negative surplus or allocation in the database; what a loss may not have, a cash
portion, is now checked here too.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010_loss_allocation"
down_revision: str | None = "0009_balance_check_by_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "ledger"
UUID = postgresql.UUID(as_uuid=True)


MONEY = sa.Numeric(14, 2)


def upgrade() -> None:
    # added nullable, filled from the book figures, then required
    op.add_column("allocation", sa.Column("tax_surplus", MONEY, nullable=True), schema=S)
    op.add_column("allocation_row", sa.Column("tax_allocation", MONEY, nullable=True), schema=S)
    op.execute(f"UPDATE {S}.allocation SET tax_surplus = surplus")
    op.execute(f"UPDATE {S}.allocation_row SET tax_allocation = allocation")
    op.alter_column("allocation", "tax_surplus", nullable=False, schema=S)
    op.alter_column("allocation_row", "tax_allocation", nullable=False, schema=S)
    op.create_check_constraint(
        op.f("ck_allocation_loss_has_no_cash_portion"), "allocation", "surplus >= 0 OR cash_portion = 0", schema=S
    )


def downgrade() -> None:
    # a record whose tax result differed loses it: the old schema cannot say so
    op.drop_constraint(op.f("ck_allocation_loss_has_no_cash_portion"), "allocation", schema=S, type_="check")
    op.drop_column("allocation_row", "tax_allocation", schema=S)
    op.drop_column("allocation", "tax_surplus", schema=S)
