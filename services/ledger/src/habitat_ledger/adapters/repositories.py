"""SQLAlchemy repositories: they take the unit of work's session and never commit."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.adapters.orm import account, patronage, period
from habitat_ledger.domain.contribution import Patronage
from habitat_ledger.domain.journal import Account, AccountRef
from habitat_ledger.domain.period import Period
from habitat_ledger.service_layer.ports import PatronageTotal

# One aggregate, one value: the ids sorted and packed 16 bytes each (uuid order is byte order).
# The ids come already ascending from an index-only scan of (period_id, contribution_id) and are
# concatenated in that order: an ORDER BY inside the aggregate would sort a million ids again
# (PostgreSQL 15 never skips it). A sorted subquery stays a subquery and feeds a plain aggregate.
SORTED_IDS = text(
    "SELECT COALESCE(string_agg(packed, ''::bytea), ''::bytea)"
    " FROM (SELECT uuid_send(contribution_id) AS packed FROM ledger.patronage"
    " WHERE period_id = :period_id ORDER BY contribution_id) AS ascending"
)


class SqlAlchemyPeriodRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, new: Period) -> None:
        self.session.add(new)

    async def get(self, period_id: uuid.UUID, *, for_update: bool = False) -> Period | None:
        return await self.session.get(Period, period_id, with_for_update=for_update or None, populate_existing=for_update)

    async def list(self) -> list[Period]:
        return list((await self.session.scalars(select(Period).order_by(period.c.starts_on))).all())

    async def find_by_name(self, name: str) -> Period | None:
        return (await self.session.scalars(select(Period).where(period.c.name == name))).first()

    async def find_overlapping(self, starts_on: date, ends_on: date) -> Period | None:
        query = select(Period).where(period.c.starts_on <= ends_on, period.c.ends_on >= starts_on).limit(1)
        return (await self.session.scalars(query)).first()


class SqlAlchemyAccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ensure(self, ref: AccountRef) -> Account:
        # Upsert by code: concurrent first uses from two workers both end up with the same row.
        fresh = Account.from_ref(ref)
        await self.session.execute(
            insert(account)
            .values(id=fresh.id, code=fresh.code, kind=str(fresh.kind), member_id=fresh.member_id)
            .on_conflict_do_nothing(index_elements=[account.c.code])
        )
        return (await self.session.scalars(select(Account).where(account.c.code == ref.code))).one()

    async def ensure_many(self, refs: list[AccountRef]) -> dict[str, Account]:
        """Every account named, created where missing, in two statements whatever their number."""
        unique = {ref.code: Account.from_ref(ref) for ref in refs}
        if not unique:
            return {}
        await self.session.execute(
            insert(account).on_conflict_do_nothing(index_elements=[account.c.code]),
            [{"id": a.id, "code": a.code, "kind": str(a.kind), "member_id": a.member_id} for a in unique.values()],
        )
        found = await self.session.scalars(select(Account).where(account.c.code.in_(list(unique))))
        return {a.code: a for a in found}


class SqlAlchemyPatronageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: Patronage) -> None:
        self.session.add(record)

    async def get(self, contribution_id: uuid.UUID) -> Patronage | None:
        return await self.session.get(Patronage, contribution_id)

    async def totals(self, period_id: uuid.UUID) -> list[PatronageTotal]:
        query = (
            select(patronage.c.member_id, patronage.c.type, func.count(), func.sum(patronage.c.value))
            .where(patronage.c.period_id == period_id)
            .group_by(patronage.c.member_id, patronage.c.type)
        )
        return [PatronageTotal(*row) for row in (await self.session.execute(query)).all()]

    async def count(self, period_id: uuid.UUID) -> int:
        return await self.session.scalar(select(func.count()).where(patronage.c.period_id == period_id))

    async def sorted_contribution_ids(self, period_id: uuid.UUID) -> bytes:
        # a million ids travel as one 16 MB value, not as a million rows or uuid objects
        return await self.session.scalar(SORTED_IDS, {"period_id": period_id})
