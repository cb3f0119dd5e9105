"""an approval says whether it was imported, and by which admin

Revision ID: 0008_imported_approvals
Revises: 0007_joined_at_corrections
Create Date: 2026-12-05

A historical approval (a CSV import's approved row) keeps the approver the file names, but it is not that
steward's decision: it never counts as theirs in the review rules or the per-reviewer figures. Approvals
already imported are marked from their contribution's import run.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0008_imported_approvals"
down_revision: str | None = "0007_joined_at_corrections"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "contributions"


def upgrade() -> None:
    op.add_column(
        "contribution_approval",
        sa.Column("imported", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        schema=SCHEMA,
    )
    op.add_column("contribution_approval", sa.Column("imported_by", UUID(as_uuid=True)), schema=SCHEMA)
    op.execute(
        f"""
        UPDATE {SCHEMA}.contribution_approval AS a SET imported = true, imported_by = i.imported_by
        FROM {SCHEMA}.contribution AS c JOIN {SCHEMA}.contribution_import AS i ON i.id = c.import_id
        WHERE c.id = a.contribution_id
        """
    )
    op.create_check_constraint(
        "imported_names_importer",
        "contribution_approval",
        "imported = (imported_by IS NOT NULL)",
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_contribution_approval_imported_names_importer"), "contribution_approval", schema=SCHEMA)
    op.drop_column("contribution_approval", "imported_by", schema=SCHEMA)
    op.drop_column("contribution_approval", "imported", schema=SCHEMA)
