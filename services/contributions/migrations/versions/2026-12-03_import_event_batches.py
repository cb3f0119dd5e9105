"""an import's events are written to the outbox after it commits, from batches of contribution ids

Revision ID: 0006_import_event_batches
Revises: 0005_children_per_statement
Create Date: 2026-12-03

Building the ContributionsImportedV1 payloads of a 100,000-row import inside its transaction (80 events,
26 MB of JSON parsed into jsonb) was a quarter of the import. The import now commits, with its
contributions, one small row per event to come: the batch number and the ids of its contributions. The
worker turns each such row into its outbox event (ImportEventStager) and marks it staged, in one
transaction, so every event is written exactly once even if the service stops in between.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision: str = "0006_import_event_batches"
down_revision: str | None = "0005_children_per_statement"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "contributions"


def upgrade() -> None:
    op.create_table(
        "import_event_batch",
        sa.Column("import_id", UUID(as_uuid=True), nullable=False),
        sa.Column("batch", sa.Integer(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("contribution_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("headers", JSONB(), nullable=False),
        sa.Column("staged_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(
            ["import_id"], [f"{SCHEMA}.contribution_import.id"],
            name="fk_import_event_batch_import_id_contribution_import",
        ),
        sa.PrimaryKeyConstraint("import_id", "batch", name="pk_import_event_batch"),
        schema=SCHEMA,
    )  # fmt: skip
    op.create_index(
        "ix_import_event_batch_pending",
        "import_event_batch",
        ["import_id", "batch"],
        schema=SCHEMA,
        postgresql_where=sa.text("staged_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("import_event_batch", schema=SCHEMA)
