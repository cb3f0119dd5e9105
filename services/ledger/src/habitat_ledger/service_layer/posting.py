"""Posting an approved allocation: capital credits, scheduled cash distributions, period closed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from habitat_ledger.domain.distribution import Distribution
from habitat_ledger.domain.errors import AllocationNotApproved, StaleProposal
from habitat_ledger.domain.events import AllocationPosted, PeriodClosed
from habitat_ledger.domain.journal import AccountRef, Basis, JournalTransaction, Posting, SourceType
from habitat_ledger.domain.money import ZERO
from habitat_ledger.domain.proposal import Allocation, AllocationStatus
from habitat_ledger.service_layer.allocations import require_allocation
from habitat_ledger.service_layer.periods import require_period
from habitat_ledger.service_layer.ports import UnitOfWork

SCHEDULED_METHOD = "other"  # the admin names the real method when completing the payment


async def post_allocation(
    allocation_id: uuid.UUID, requested_by: uuid.UUID, uow: UnitOfWork, *, now: datetime | None = None
) -> Allocation:
    """All of it in one transaction, or nothing; posting a posted allocation answers it as it is.

    The allocation row is locked first, so a concurrent second post waits, then sees it posted;
    unique constraints on the journal and distributions back that up.
    """
    now = now or datetime.now(UTC)
    async with uow:
        allocation = await require_allocation(allocation_id, uow, for_update=True)
        if allocation.status == AllocationStatus.POSTED:
            return allocation
        if allocation.status != AllocationStatus.APPROVED:
            raise AllocationNotApproved(f"This allocation is {allocation.status}; only an approved one is posted.")
        period = await require_period(allocation.period_id, uow, for_update=True)
        if await uow.patronage.count(period.id) != allocation.contribution_count:
            raise StaleProposal("Contributions were booked in this period after the proposal; reject it and propose again.")
        rows = [row for row in allocation.rows if row.allocation != ZERO]
        surplus = AccountRef.coop_surplus()
        capital = {row.member_id: AccountRef.member_capital(row.member_id) for row in rows}
        accounts = await uow.accounts.ensure_many([surplus, *capital.values()])
        description = f"Allocation of the {period.name} surplus"
        transactions = [
            JournalTransaction.record(
                source_type=SourceType.ALLOCATION,
                source_id=allocation.id,
                occurred_on=period.ends_on,
                description=description,
                postings=[
                    Posting(accounts[code].id, basis, amount)
                    for basis in (Basis.BOOK, Basis.TAX)
                    for code, amount in ((surplus.code, row.allocation), (capital[row.member_id].code, -row.allocation))
                ],
                now=now,
                member_id=row.member_id,
                recorded_by=requested_by,
            )
            for row in rows
        ]
        await uow.journal.add_many(transactions)
        distributions = [
            Distribution.schedule(
                member_id=row.member_id,
                amount=row.cash_portion_amount,
                method=SCHEDULED_METHOD,
                scheduled_on=now.date(),
                created_by=requested_by,
                now=now,
                allocation_id=allocation.id,
            )
            for row in rows
            if row.cash_portion_amount > ZERO
        ]
        await uow.distributions.add_many(distributions)
        allocation.mark_posted(now)
        await uow.allocations.update_status(allocation)
        period.close(now)
        cash = sum((d.amount for d in distributions), ZERO)
        uow.events += [
            AllocationPosted(allocation.id, period.id, allocation.surplus, len(rows), cash),
            PeriodClosed(period.id, period.name),
        ]
        await uow.commit()
    return allocation
