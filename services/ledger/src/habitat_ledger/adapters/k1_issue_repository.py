"""Issued K-1 years (ledger.k1_issue): an issued year is locked like a closed period."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.adapters.k1_tables import k1_issue


class SqlAlchemyK1IssueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def issued_years(self) -> list[int]:
        """Every year whose K-1s were issued, earliest first."""
        return list((await self.session.execute(select(k1_issue.c.year).order_by(k1_issue.c.year))).scalars())
