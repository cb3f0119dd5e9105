"""Reads behind the ledger's gauges refreshed from the database: capital per basis and periods per status."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from habitat_ledger.adapters.orm import account, period, posting
from habitat_ledger.domain.journal.transactions import AccountKind


@dataclass(frozen=True)
class CapitalOnBasis:
    """Members' capital on one basis: the sum of every account (credit-positive) and how many are negative."""

    total: Decimal
    negative_accounts: int


async def capital_by_basis(connection: AsyncConnection) -> dict[str, CapitalOnBasis]:
    """Members' capital per basis from the journal (a basis without postings is absent)."""
    balances = (
        select(posting.c.basis, (-func.sum(posting.c.amount)).label("balance"))  # capital is a credit account
        .join(account, account.c.id == posting.c.account_id)
        .where(account.c.kind == AccountKind.MEMBER_CAPITAL)
        .group_by(account.c.id, posting.c.basis)
        .subquery("capital_balance")
    )
    b = balances.c
    query = select(b.basis, func.sum(b.balance), func.count().filter(b.balance < 0)).group_by(b.basis)
    rows = (await connection.execute(query)).all()
    return {basis: CapitalOnBasis(total, negative) for basis, total, negative in rows}


async def periods_by_status(connection: AsyncConnection) -> dict[str, int]:
    """How many periods have each status (statuses no period has are absent)."""
    query = select(period.c.status, func.count()).group_by(period.c.status)
    return {status: count for status, count in (await connection.execute(query)).all()}
