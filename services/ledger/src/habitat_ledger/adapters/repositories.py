"""SQLAlchemy repositories: they take the unit of work's session and never commit."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.adapters.orm import account, journal_transaction, period, posting
from habitat_ledger.domain.contribution import Patronage
from habitat_ledger.domain.journal import Account, AccountRef, Basis, JournalTransaction, SourceType
from habitat_ledger.domain.period import Period
from habitat_ledger.service_layer.ports import PostingSums


class SqlAlchemyPeriodRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, new: Period) -> None:
        self.session.add(new)

    async def get(self, period_id: uuid.UUID) -> Period | None:
        return await self.session.get(Period, period_id)

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


class SqlAlchemyJournalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, transaction: JournalTransaction) -> None:
        self.session.add(transaction)  # postings follow through the relationship's cascade

    async def has_source(self, source_type: SourceType, source_id: uuid.UUID) -> bool:
        query = select(
            exists().where(
                journal_transaction.c.source_type == str(source_type),
                journal_transaction.c.source_id == source_id,
            )
        )
        return bool(await self.session.scalar(query))

    async def posting_sums(self, account_code: str, as_of: date | None) -> PostingSums:
        query = (
            select(posting.c.basis, func.sum(posting.c.amount), func.max(journal_transaction.c.occurred_on))
            .select_from(posting.join(journal_transaction).join(account))
            .where(account.c.code == account_code)
            .group_by(posting.c.basis)
        )
        if as_of is not None:
            query = query.where(journal_transaction.c.occurred_on <= as_of)
        rows = (await self.session.execute(query)).all()
        return PostingSums(
            by_basis={Basis(basis): total for basis, total, _ in rows},
            last_occurred_on=max((last for _, _, last in rows), default=None),
        )


class SqlAlchemyPatronageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: Patronage) -> None:
        self.session.add(record)

    async def get(self, contribution_id: uuid.UUID) -> Patronage | None:
        return await self.session.get(Patronage, contribution_id)
