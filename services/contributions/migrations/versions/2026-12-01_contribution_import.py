"""historical contributions import: natural key on contribution, and the import runs

Revision ID: 0004_contribution_import
Revises: 0003_decision_time_index
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0004_contribution_import"
down_revision: str | None = "0003_decision_time_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "contributions"


def upgrade() -> None:
    op.create_table(
        "contribution_import",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("imported_by", UUID(as_uuid=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contribution_import"),
        schema=SCHEMA,
    )
    op.add_column("contribution", sa.Column("import_reference", sa.Text(), nullable=True), schema=SCHEMA)
    op.add_column("contribution", sa.Column("import_id", UUID(as_uuid=True), nullable=True), schema=SCHEMA)
    op.create_unique_constraint("uq_contribution_import_reference", "contribution", ["import_reference"], schema=SCHEMA)
    op.create_check_constraint(
        "import_reference_length", "contribution", "char_length(import_reference) <= 100", schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_contribution_import_reference_length"), "contribution", schema=SCHEMA)
    op.drop_constraint("uq_contribution_import_reference", "contribution", schema=SCHEMA)
    op.drop_column("contribution", "import_id", schema=SCHEMA)
    op.drop_column("contribution", "import_reference", schema=SCHEMA)
    op.drop_table("contribution_import", schema=SCHEMA)
