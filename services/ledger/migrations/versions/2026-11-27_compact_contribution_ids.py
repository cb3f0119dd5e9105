"""calculation record: contribution ids as one packed value per allocation

Revision ID: 0003_compact_contribution_ids
Revises: 0002_close_and_distributions
Create Date: 2026-11-27

A million contribution ids behind one allocation were a million rows with a primary key to
maintain (seconds). Now they are one row: the ids ascending, 16 bytes each (uuid_send).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_compact_contribution_ids"
down_revision: str | None = "0002_close_and_distributions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "ledger"
UUID = postgresql.UUID(as_uuid=True)

PACK = """
INSERT INTO ledger.allocation_contribution_ids (allocation_id, ids)
SELECT allocation_id, string_agg(uuid_send(contribution_id), ''::bytea ORDER BY contribution_id)
  FROM ledger.allocation_contribution GROUP BY allocation_id
"""
UNPACK = """
INSERT INTO ledger.allocation_contribution (allocation_id, contribution_id)
SELECT allocation_id, encode(substring(ids FROM 16 * i + 1 FOR 16), 'hex')::uuid
  FROM ledger.allocation_contribution_ids, generate_series(0, length(ids) / 16 - 1) AS i
"""


def upgrade() -> None:
    op.create_table(
        "allocation_contribution_ids",
        sa.Column("allocation_id", UUID, nullable=False),
        sa.Column("ids", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("length(ids) % 16 = 0", name=op.f("ck_allocation_contribution_ids_whole_ids")),
        sa.ForeignKeyConstraint(
            ["allocation_id"], [f"{S}.allocation.id"], name="fk_allocation_contribution_ids_allocation_id_allocation"
        ),
        sa.PrimaryKeyConstraint("allocation_id", name="pk_allocation_contribution_ids"),
        schema=S,
    )
    op.execute(PACK)
    op.drop_table("allocation_contribution", schema=S)


def downgrade() -> None:
    op.create_table(
        "allocation_contribution",
        sa.Column("allocation_id", UUID, nullable=False),
        sa.Column("contribution_id", UUID, nullable=False),
        sa.PrimaryKeyConstraint("allocation_id", "contribution_id", name="pk_allocation_contribution"),
        schema=S,
    )
    op.execute(UNPACK)
    op.drop_table("allocation_contribution_ids", schema=S)
