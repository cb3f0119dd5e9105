"""The K-1 figures of a tax year, read from member capital postings in SQL.

Each posting is put on its line first: a reversal on the line of the transaction it reverses (two
levels deep, so a reversed reversal reinstates the original's line). The endings, the capital total
and the §704(c) gains are separate aggregates, so the tie checks compare independent sums.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Integer, and_, case, cast, exists, extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.adapters.orm import POSTINGS_WITH_ACCOUNTS, account, journal_transaction, posting
from habitat_ledger.domain.exports.k1 import CapitalFigure, K1Figures
from habitat_ledger.domain.exports.k1_shares import AllocationFigure

t = journal_transaction.c
reversed_ = journal_transaction.alias("reversed")
reversed_twice = journal_transaction.alias("reversed_twice")
LINE = case(
    (t.source_type != "reversal", t.source_type),
    (reversed_.c.source_type != "reversal", reversed_.c.source_type),
    else_=func.coalesce(reversed_twice.c.source_type, "reversal"),
)
# an odd number of reversals between a posting and its original flips its sign
FLIPPED = and_(t.source_type == "reversal", reversed_.c.source_type != "reversal")
CAPITAL_POSTINGS = POSTINGS_WITH_ACCOUNTS.outerjoin(reversed_, reversed_.c.id == t.reverses_id).outerjoin(
    reversed_twice, reversed_twice.c.id == reversed_.c.reverses_id
)
CREDIT = -func.sum(posting.c.amount)  # capital is a credit account: shown positive


def capital_lines(end: date):
    """Member capital postings up to end, each with its line, credit-positive."""
    return (
        select(
            account.c.member_id, posting.c.basis, t.occurred_on, posting.c.transaction_id,
            LINE.label("line"),
            (-posting.c.amount).label("credit"),
            (case((FLIPPED, posting.c.amount), else_=-posting.c.amount) > 0).label("as_profit"),
        )
        .select_from(CAPITAL_POSTINGS)
        .where(account.c.kind == "member_capital", t.occurred_on <= end)
        .subquery("capital_line")
    )


async def k1_figures(session: AsyncSession, year: int) -> K1Figures:
    start, end = date(year, 1, 1), date(year, 12, 31)
    lines = capital_lines(end)
    c = lines.c
    in_year = c.occurred_on >= start
    figures_q = (
        select(c.member_id, c.basis, c.line, in_year, func.sum(c.credit))
        .group_by(c.member_id, c.basis, c.line, in_year)
    )
    endings_q = (
        select(account.c.member_id, posting.c.basis, CREDIT)
        .select_from(POSTINGS_WITH_ACCOUNTS)
        .where(account.c.kind == "member_capital", t.occurred_on <= end)
        .group_by(account.c.member_id, posting.c.basis)
    )
    totals_q = (
        select(posting.c.basis, CREDIT)
        .select_from(posting.join(account, posting.c.account_id == account.c.id)
                     .join(journal_transaction, posting.c.transaction_id == t.id))
        .where(account.c.kind == "member_capital", t.occurred_on <= end)
        .group_by(posting.c.basis)
    )
    other, other_account = posting.alias("other"), account.alias("other_account")
    touches_property = exists().where(
        other.c.transaction_id == c.transaction_id,
        other_account.c.id == other.c.account_id,
        other_account.c.kind == "coop_property",
    )
    gain = func.sum(case((c.basis == "book", c.credit), else_=-c.credit))
    gains_q = (
        select(c.member_id, in_year, gain)
        .where(c.line == "contribution", touches_property)
        .group_by(c.member_id, in_year)
    )
    year_of = cast(extract("year", c.occurred_on), Integer)
    allocations_q = (
        select(c.member_id, c.basis, year_of, c.as_profit, func.sum(c.credit))
        .where(c.line == "allocation", c.occurred_on >= date(year - 1, 1, 1))
        .group_by(c.member_id, c.basis, year_of, c.as_profit)
    )
    run = session.execute
    return K1Figures(
        figures=[CapitalFigure(*row) for row in (await run(figures_q)).all()],
        endings={(m, b): amount for m, b, amount in (await run(endings_q)).all()},
        built_in_gains={(m, inside): amount for m, inside, amount in (await run(gains_q)).all()},
        capital_totals={basis: amount for basis, amount in (await run(totals_q)).all()},
        allocations=[AllocationFigure(*row) for row in (await run(allocations_q)).all()],
    )


async def activity_in(session: AsyncSession, year: int, *, except_lines: tuple[str, ...]) -> bool:
    """Whether any member capital posting of the year is on a line other than those given."""
    lines = capital_lines(date(year, 12, 31))
    query = select(exists().where(lines.c.occurred_on >= date(year, 1, 1), lines.c.line.not_in(except_lines)))
    return bool(await session.scalar(query))
