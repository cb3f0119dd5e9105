"""Posting an approved allocation: capital credits, scheduled cash distributions, period closed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from habitat_ledger.domain.close.allocation_posting import (
    allocation_description,
    allocation_entry,
    cash_schedule,
)
from habitat_ledger.domain.close.proposal import Allocation, AllocationStatus
from habitat_ledger.domain.close.share_words import explain_shares
from habitat_ledger.domain.errors import AllocationNotApproved, StaleProposal
from habitat_ledger.domain.events import AllocationPosted, AllocationSharePosted, PeriodClosed
from habitat_ledger.service_layer.close.allocations import require_allocation
from habitat_ledger.service_layer.close.periods import require_period
from habitat_ledger.service_layer.close.ports import CloseUnitOfWork
from habitat_ledger.service_layer.periods.locks import ensure_open_date


async def post_allocation(
    allocation_id: uuid.UUID,
    requested_by: uuid.UUID,
    uow: CloseUnitOfWork,
    *,
    now: datetime | None = None,
    today: date | None = None,
) -> Allocation:
    """All of it in one transaction, or nothing; posting a posted allocation answers it as it is.

    The allocation row is locked first, so a concurrent second post waits, then sees it posted;
    unique constraints on the journal and distributions back that up. The entries are written from
    the record's stored rows by one statement per table, however many members there are. The
    record is returned without its rows (read it again to show them).
    """
    now = now or datetime.now(UTC)
    async with uow:
        allocation = await require_allocation(allocation_id, uow, for_update=True, with_rows=False)
        if allocation.status == AllocationStatus.POSTED:
            return allocation
        if allocation.status != AllocationStatus.APPROVED:
            raise AllocationNotApproved(f"This allocation is {allocation.status}; only an approved one is posted.")
        period = await require_period(allocation.period_id, uow, for_update=True)
        await ensure_open_date(period.ends_on, uow, f"The allocation of {period.name}")
        if await _stale(allocation, uow):
            raise StaleProposal("Contributions were booked in this period after the proposal; reject it and propose again.")
        entry = allocation_entry(
            allocation, description=allocation_description(period.name, allocation), occurred_on=period.ends_on,
            by=requested_by, now=now,
        )
        credited = await uow.allocation_postings.post_entries(entry)
        schedule = cash_schedule(allocation, by=requested_by, now=now, on=today)
        _, cash = await uow.allocation_postings.schedule_cash(schedule)
        allocation.mark_posted(now)
        await uow.allocations.update_status(allocation)
        period.close(now)
        uow.events += [
            AllocationPosted(allocation.id, period.id, allocation.surplus, credited, cash),
            PeriodClosed(period.id, period.name),
        ]
        await uow.commit()
    return allocation


async def announce_shares(allocation_id: uuid.UUID, uow: CloseUnitOfWork) -> int:
    """Stage each member's row of a posted allocation as an AllocationSharePosted with its account in words (the
    member's share mail), inside the caller's unit of work; how many. Run by the ledger's own consumer of
    AllocationPosted, so the closing transaction stays one set-based write however many members there are."""
    allocation = await require_allocation(allocation_id, uow)
    if allocation.status != AllocationStatus.POSTED:
        return 0
    period = await require_period(allocation.period_id, uow)
    sentences = explain_shares(allocation, period.name, allocation.rows)
    uow.events += [
        AllocationSharePosted(
            allocation_id=allocation.id, period_id=period.id, period_name=period.name, member_id=row.member_id,
            allocation=row.allocation, tax_allocation=row.tax_allocation,
            cash_portion_amount=row.cash_portion_amount, retained_amount=row.retained_amount,
            explanation=tuple(explained),
        )
        for row, explained in zip(allocation.rows, sentences, strict=True)
    ]
    return len(allocation.rows)


async def _stale(allocation: Allocation, uow: CloseUnitOfWork) -> bool:
    if allocation.patronage_through_seq is None:  # a record from before patronage was numbered
        return await uow.patronage.count(allocation.period_id) != allocation.contribution_count
    return await uow.patronage.added_after(allocation.period_id, allocation.patronage_through_seq)
