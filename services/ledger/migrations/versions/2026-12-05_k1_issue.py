"""issued K-1 years: the endings stored when a year's K-1s are issued; an issued year is locked

Revision ID: 0011_k1_issue
Revises: 0010_loss_allocation
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011_k1_issue"
down_revision: str | None = "0010_loss_allocation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "ledger"
UUID = postgresql.UUID(as_uuid=True)
MONEY = sa.Numeric(14, 2)


def upgrade() -> None:
    op.create_table(
        "k1_issue",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", UUID, nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_k1_issue"),
        sa.CheckConstraint("year BETWEEN 1900 AND 9999", name="ck_k1_issue_year"),
        schema=S,
    )
    op.create_table(
        "k1_issue_ending",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("member_id", UUID, nullable=False),
        sa.Column("tax_ending", MONEY, nullable=False),
        sa.Column("book_ending", MONEY, nullable=False),
        sa.Column("section_704c_gain", MONEY, nullable=False),
        sa.ForeignKeyConstraint(["year"], [f"{S}.k1_issue.year"], name="fk_k1_issue_ending_year_k1_issue"),
        sa.PrimaryKeyConstraint("year", "member_id", name="pk_k1_issue_ending"),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("k1_issue_ending", schema=S)
    op.drop_table("k1_issue", schema=S)
