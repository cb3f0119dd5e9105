"""Tables of issued K-1 years: an issued year is locked like a closed period, and its endings are kept."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Integer, Table
from sqlalchemy.dialects.postgresql import UUID

from habitat_ledger.adapters.schema import MONEY, metadata

k1_issue = Table(
    "k1_issue",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("issued_by", UUID(as_uuid=True), nullable=False),
    CheckConstraint("year BETWEEN 1900 AND 9999", name="year"),
)

# each member's ending capital per basis and §704(c) built-in gain, as issued: next year's beginning
k1_issue_ending = Table(
    "k1_issue_ending",
    metadata,
    Column("year", Integer, ForeignKey("ledger.k1_issue.year"), primary_key=True, autoincrement=False),
    Column("member_id", UUID(as_uuid=True), primary_key=True),
    Column("tax_ending", MONEY, nullable=False),
    Column("book_ending", MONEY, nullable=False),
    Column("section_704c_gain", MONEY, nullable=False),
)
