"""Tables of data imports: who ran a capital accounts import, when, and what it changed."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, Numeric, Table
from sqlalchemy.dialects.postgresql import UUID

from habitat_ledger.adapters.schema import metadata

capital_import = Table(
    "capital_import",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("imported_by", UUID(as_uuid=True), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("created", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    # sums of amounts: not bounded like one (migration 0015)
    Column("book_total", Numeric, nullable=False),
    Column("tax_total", Numeric, nullable=False),
)
