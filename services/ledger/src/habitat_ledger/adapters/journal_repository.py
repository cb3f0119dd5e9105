"""The journal: append-only transactions and the reports read from their postings."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from habitat_ledger.adapters import k1_queries
from habitat_ledger.adapters.orm import POSTINGS_WITH_ACCOUNTS, account, journal_transaction, posting
from habitat_ledger.domain.exports.hledger import Entry, EntryLine
from habitat_ledger.domain.exports.k1 import K1Figures
from habitat_ledger.domain.journal.transactions import Basis, JournalTransaction, SourceType
from habitat_ledger.service_layer.journal.ports import PostingSums

CREDIT = -func.sum(posting.c.amount)  # capital is a credit account: shown positive
ORDER = (journal_transaction.c.occurred_on, journal_transaction.c.recorded_at, journal_transaction.c.id)


def basis_sum(basis: str):
    return -func.sum(case((posting.c.basis == basis, posting.c.amount), else_=0))


class SqlAlchemyJournalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, transaction: JournalTransaction) -> None:
        self.session.add(transaction)  # postings follow through the relationship's cascade

    async def get(self, transaction_id: uuid.UUID) -> JournalTransaction | None:
        query = (
            select(JournalTransaction)
            .where(journal_transaction.c.id == transaction_id)
            .options(selectinload(JournalTransaction.postings))
        )
        return (await self.session.scalars(query)).first()

    async def is_reversed(self, transaction_id: uuid.UUID) -> bool:
        return bool(await self.session.scalar(select(exists().where(journal_transaction.c.reverses_id == transaction_id))))

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
            .select_from(POSTINGS_WITH_ACCOUNTS)
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

    async def capital_by_member(self, as_of: date) -> dict[uuid.UUID, tuple[Decimal, Decimal]]:
        t = journal_transaction.c
        query = (
            select(account.c.member_id, basis_sum("book"), basis_sum("tax"))
            .select_from(POSTINGS_WITH_ACCOUNTS)
            .where(account.c.kind == "member_capital", t.occurred_on <= as_of)
            .group_by(account.c.member_id)
        )
        return {member_id: (book, tax) for member_id, book, tax in (await self.session.execute(query)).all()}

    async def k1_figures(self, year: int) -> K1Figures:
        return await k1_queries.k1_figures(self.session, year)

    async def kept_year(self, year: int) -> bool:
        return await k1_queries.activity_in(self.session, year, except_lines=("opening_balance",))

    async def entries(self, basis: Basis) -> list[Entry]:
        t = journal_transaction.c
        query = (
            select(t.id, t.occurred_on, t.description, t.source_type, t.source_id,
                   account.c.code, account.c.member_id, posting.c.amount)
            .select_from(POSTINGS_WITH_ACCOUNTS)
            .where(posting.c.basis == str(basis))
            .order_by(*ORDER, posting.c.id)
        )
        heads: dict[uuid.UUID, tuple] = {}
        lines: dict[uuid.UUID, list[EntryLine]] = defaultdict(list)
        for tx, day, description, source_type, source_id, code, member, amount in await self.session.execute(query):
            heads.setdefault(tx, (day, description, f"{source_type}:{source_id}"))
            lines[tx].append(EntryLine(code, member, amount))
        return [Entry(tx, *heads[tx][:2], heads[tx][2], tuple(lines[tx])) for tx in heads]
