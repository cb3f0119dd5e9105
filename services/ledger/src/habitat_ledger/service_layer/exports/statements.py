"""Statements: a member's capital account line by line, and their part of an allocation in words."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from habitat_ledger.domain.close.proposal import AllocationRow
from habitat_ledger.domain.close.share_words import explain_share
from habitat_ledger.domain.errors import AllocationNotFound
from habitat_ledger.domain.journal.capital import CapitalBalance
from habitat_ledger.domain.journal.statement import StatementLine, latest_lines, running_lines
from habitat_ledger.domain.journal.transactions import AccountRef, Basis
from habitat_ledger.domain.money import ZERO
from habitat_ledger.service_layer.close.allocations import require_allocation
from habitat_ledger.service_layer.close.periods import require_period
from habitat_ledger.service_layer.exports.ports import CapitalStatementReads, ExportsUnitOfWork


@dataclass(frozen=True)
class CapitalStatement:
    member_id: uuid.UUID
    display_name: str | None
    as_of: date
    lines: list[StatementLine]

    @property
    def book_balance(self) -> Decimal:
        return self.lines[-1].book_balance if self.lines else ZERO

    @property
    def tax_balance(self) -> Decimal:
        return self.lines[-1].tax_balance if self.lines else ZERO


@dataclass(frozen=True)
class AllocationStatement:
    member_id: uuid.UUID
    lines: list[str]
    row: AllocationRow


async def capital_statement(
    member_id: uuid.UUID, reads: CapitalStatementReads, *, as_of: date | None = None, today: date | None = None,
    last: int | None = None,
) -> CapitalStatement:
    """Every transaction on the member's capital dated on or before as_of (with last: only the latest
    that many, their balances from the account's sums, so the older history is not read).

    Without as_of the statement covers every transaction, like the balance, so a close dated at the
    end of a period still in the future (or a back-office entry dated ahead) is never hidden; it is
    then reported as of today or its last line's date, whichever is later. The reads share one snapshot,
    so a booking committed meanwhile shows in both the lines and the balances or in neither.
    """
    until = as_of or date.max
    async with reads.snapshot() as snapshot:
        movements = await snapshot.capital_movements(member_id, until, last)
        display_name = await snapshot.display_name(member_id)
        if last is not None:
            sums = await snapshot.posting_sums(AccountRef.member_capital(member_id).code, until)
    if last is None:
        lines = running_lines(movements)
    else:
        balance = CapitalBalance.from_posting_sums(
            member_id, sums.by_basis.get(Basis.BOOK), sums.by_basis.get(Basis.TAX), until
        )
        lines = latest_lines(movements, balance.book_balance, balance.tax_balance)
    if as_of is None:
        today = today or datetime.now(UTC).date()
        as_of = max([today, *(line.movement.occurred_on for line in lines)])
    return CapitalStatement(member_id, display_name, as_of, lines)


async def allocation_statement(allocation_id: uuid.UUID, member_id: uuid.UUID, uow: ExportsUnitOfWork) -> AllocationStatement:
    """The member's row of an allocation, explained in plain sentences."""
    async with uow:
        allocation = await require_allocation(allocation_id, uow)
        period = await require_period(allocation.period_id, uow)
    row = allocation.row_of(member_id)
    if row is None:
        raise AllocationNotFound("This member has no row in that allocation.")
    lines = explain_share(allocation, period.name, row)
    return AllocationStatement(member_id, lines, row)
