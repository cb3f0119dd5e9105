"""Tables of issued K-1 years: an issued year is locked like a closed period."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, DateTime, Integer, Table
from sqlalchemy.dialects.postgresql import UUID

from habitat_ledger.adapters.schema import metadata

k1_issue = Table(
    "k1_issue",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("issued_by", UUID(as_uuid=True), nullable=False),
    CheckConstraint("year BETWEEN 1900 AND 9999", name="year"),
)
