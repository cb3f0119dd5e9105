"""What the documents show (the member's statement for a date range, their allocation statement, the board's
period report), read in one unit of work each; rendering them as CSV or PDF is the adapters' job."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from habitat_ledger.domain.close.proposal import Allocation, AllocationRow
from habitat_ledger.domain.journal.statement_range import RangeStatement, check_range, statement_for_range
from habitat_ledger.domain.money import ZERO
from habitat_ledger.domain.periods.period import Period
from habitat_ledger.service_layer.close.allocations import require_allocation
from habitat_ledger.service_layer.close.periods import require_period
from habitat_ledger.service_layer.exports.ports import CapitalStatementReads, ExportsUnitOfWork
from habitat_ledger.service_layer.exports.statements import AllocationStatement, allocation_statement


@dataclass(frozen=True)
class MemberStatement:
    member_id: uuid.UUID
    display_name: str | None
    statement: RangeStatement


@dataclass(frozen=True)
class AllocationDocument:
    period: Period
    allocation: Allocation
    display_name: str | None
    statement: AllocationStatement


@dataclass(frozen=True)
class IntakeLine:
    type: str
    count: int
    value: Decimal
    members: int


@dataclass(frozen=True)
class MemberCapital:
    member_id: uuid.UUID
    display_name: str | None
    book: Decimal
    tax: Decimal


@dataclass(frozen=True)
class BoardReport:
    period: Period
    intake: list[IntakeLine]
    allocation: Allocation | None
    names: dict[uuid.UUID, str]
    capital: list[MemberCapital]

    @property
    def capital_book(self) -> Decimal:
        return sum((c.book for c in self.capital), ZERO)

    @property
    def capital_tax(self) -> Decimal:
        return sum((c.tax for c in self.capital), ZERO)

    def allocation_rows(self) -> list[AllocationRow]:
        return self.allocation.rows if self.allocation else []


async def member_statement(
    member_id: uuid.UUID, reads: CapitalStatementReads, *, starts_on: date | None, ends_on: date | None, today: date
) -> MemberStatement:
    """The member's capital statement from starts_on (default: their first transaction) to ends_on (default:
    today); the closing balances equal the JSON statement's as of ends_on."""
    ends_on = ends_on or today
    if starts_on is not None:
        check_range(starts_on, ends_on)  # refused before anything is read
    async with reads.snapshot() as snapshot:
        movements = await snapshot.capital_movements(member_id, ends_on, None)
        display_name = await snapshot.display_name(member_id)
    if starts_on is None:
        starts_on = min([ends_on, *(m.occurred_on for m in movements)])
    statement = statement_for_range(movements, starts_on, ends_on)
    return MemberStatement(member_id, display_name, statement)


async def allocation_document(
    allocation_id: uuid.UUID, member_id: uuid.UUID, uow: ExportsUnitOfWork
) -> AllocationDocument:
    """The member's allocation statement (its sentences and amounts) with its period and the member's name."""
    statement = await allocation_statement(allocation_id, member_id, uow)
    async with uow:
        allocation = await require_allocation(allocation_id, uow, with_rows=False)
        period = await require_period(allocation.period_id, uow)
        member = await uow.members.get(member_id)
    return AllocationDocument(period, allocation, member.display_name if member else None, statement)


async def board_report(period_id: uuid.UUID, uow: ExportsUnitOfWork) -> BoardReport:
    """A period for the board: the intake by type (the ledger's patronage totals), the allocation (posted, or
    the one awaiting approval) and every member's capital at the period's end."""
    async with uow:
        period = await require_period(period_id, uow)
        totals = await uow.patronage.totals(period_id)
        allocation = await uow.allocations.active_for_period(period_id)
        names = await uow.members.names()
        capital = await uow.journal.capital_by_member(period.ends_on)
    return BoardReport(
        period,
        intake_by_type(totals),
        allocation,
        names,
        [
            MemberCapital(member_id, names.get(member_id), book, tax)
            for member_id, (book, tax) in sorted(
                capital.items(), key=lambda item: (names.get(item[0]) or "", item[0])
            )
        ],
    )


def intake_by_type(totals) -> list[IntakeLine]:
    """Count, value and contributing members of each contribution type, in type order."""
    count: dict[str, int] = defaultdict(int)
    value: dict[str, Decimal] = defaultdict(lambda: ZERO)
    members: dict[str, set[uuid.UUID]] = defaultdict(set)
    for total in totals:
        count[total.type] += total.count
        value[total.type] += total.value
        members[total.type].add(total.member_id)
    return [IntakeLine(kind, count[kind], value[kind], len(members[kind])) for kind in sorted(count)]
