"""Issued K-1 years (ledger.k1_issue): an issued year is locked like a closed period; its endings are kept."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.adapters.k1_tables import k1_issue, k1_issue_ending
from habitat_ledger.domain.exports.k1_issue import IssuedEnding, K1Issue


class SqlAlchemyK1IssueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def issued_years(self) -> list[int]:
        """Every year whose K-1s were issued, earliest first."""
        return list((await self.session.execute(select(k1_issue.c.year).order_by(k1_issue.c.year))).scalars())

    async def claim(self, issue: K1Issue) -> bool:
        """Record the year as issued unless it is already; a concurrent claim waits for the first to end."""
        query = (
            pg_insert(k1_issue)
            .values(year=issue.year, issued_at=issue.issued_at, issued_by=issue.issued_by)
            .on_conflict_do_nothing(index_elements=["year"])
            .returning(k1_issue.c.year)
        )
        return (await self.session.execute(query)).first() is not None

    async def add_endings(self, year: int, endings: list[IssuedEnding]) -> None:
        if endings:
            await self.session.execute(insert(k1_issue_ending), [
                {"year": year, "member_id": e.member_id, "tax_ending": e.tax, "book_ending": e.book,
                 "section_704c_gain": e.section_704c_gain}
                for e in endings
            ])

    async def get(self, year: int) -> K1Issue | None:
        """The issued year with the endings it reported, or None."""
        head = (await self.session.execute(select(k1_issue).where(k1_issue.c.year == year))).first()
        if head is None:
            return None
        e = k1_issue_ending.c
        rows = await self.session.execute(
            select(e.member_id, e.tax_ending, e.book_ending, e.section_704c_gain)
            .where(e.year == year)
            .order_by(e.member_id)
        )
        return K1Issue(head.year, head.issued_at, head.issued_by, tuple(IssuedEnding(*row) for row in rows))
