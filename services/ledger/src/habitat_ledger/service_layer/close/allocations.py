"""Proposing, approving and rejecting a period's allocation (the immutable calculation record)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from habitat_ledger.domain.close.allocation import Weights, allocate_by_member, surplus_of
from habitat_ledger.domain.close.proposal import (
    Allocation,
    AllocationStatus,
    canonical_inputs,
    check_cash_portion,
    content_hash,
    rows_of,
)
from habitat_ledger.domain.commands import ProposeAllocation
from habitat_ledger.domain.errors import (
    AllocationNotFound,
    NotReconciled,
    PendingContributions,
    PeriodClosed,
    PeriodNotClosing,
    ProposalPending,
)
from habitat_ledger.domain.events import AllocationApproved, AllocationProposed
from habitat_ledger.domain.periods.period import PeriodStatus
from habitat_ledger.service_layer.close.periods import require_period
from habitat_ledger.service_layer.close.ports import CloseUnitOfWork


async def propose_allocation(
    command: ProposeAllocation, uow: CloseUnitOfWork, *, approvals_required: int, now: datetime | None = None
) -> Allocation:
    """Compute and store the calculation record of a closing period whose totals reconcile.

    The book result (surplus) and the tax result (default: the same) are each allocated on their
    own; either may be a loss, and a loss carries no cash portion (LossHasNoCashPortion).
    The reconciliation is evaluated afresh on every request: approved events may still be in flight.
    The period row is locked first: patronage inserts hold a key-share lock on it through their
    foreign key, so none is in flight while the snapshot is read and later ones number after it.
    """
    now = now or datetime.now(UTC)
    weights = Weights(**command.weights)
    surplus = surplus_of(command.surplus)
    tax_surplus = surplus if command.tax_surplus is None else surplus_of(command.tax_surplus, "tax result")
    check_cash_portion(surplus, command.cash_portion)
    async with uow:
        period = await require_period(command.period_id, uow, for_update=True)
        if period.status == PeriodStatus.CLOSED:
            raise PeriodClosed(f"Period {period.name} is closed; its allocation was posted.")
        if period.status != PeriodStatus.CLOSING:
            raise PeriodNotClosing(f"Start closing period {period.name} before proposing its allocation.")
        if await uow.allocations.active_for_period(period.id):
            raise ProposalPending("Another proposal of this period is awaiting approval or posting.")
        check = await uow.seals.reconciliation(period.id)
        if not check.matches:
            raise NotReconciled(
                "The contributions service has not sealed this period yet."
                if not check.received
                else f"The ledger's approved totals differ from the sealed ones for {len(check.differences)} member(s)."
            )
        if check.pending_count:  # one slipped in between the gateway's check and the close
            raise PendingContributions(
                f"{check.pending_count} contribution(s) of period {period.name} were still undecided when it was"
                " sealed; nothing is allocated while a contribution of the period is undecided."
            )
        snapshot = await uow.patronage.snapshot(period.id)
        result = allocate_by_member(surplus, weights, snapshot.values, tax_surplus)
        rows = rows_of(result, command.cash_portion)
        inputs = canonical_inputs(surplus, weights, command.cash_portion, tax_surplus)
        allocation = Allocation(
            id=uuid.uuid4(),
            period_id=period.id,
            status=AllocationStatus.PROPOSED,
            surplus=surplus,
            weights=weights,
            cash_portion=command.cash_portion,
            rows=rows,
            contribution_count=snapshot.contribution_count,
            content_hash=content_hash(inputs, snapshot, rows),
            proposed_by=command.requested_by,
            proposed_at=now,
            approvals_required=approvals_required,
            patronage_through_seq=snapshot.through_seq,
            tax_surplus=tax_surplus,
        )
        await uow.allocations.add(allocation)
        uow.events.append(
            AllocationProposed(
                allocation.id, period.id, surplus, command.cash_portion, allocation.content_hash, command.requested_by
            )
        )
        await uow.commit()
    return allocation


async def get_allocation(allocation_id: uuid.UUID, uow: CloseUnitOfWork) -> Allocation:
    """One calculation record, or AllocationNotFound."""
    async with uow:
        return await require_allocation(allocation_id, uow)


async def allocations_of_period(period_id: uuid.UUID, uow: CloseUnitOfWork) -> list[Allocation]:
    """Every proposal made for a period, newest first (rejected ones included)."""
    async with uow:
        ids = await uow.allocations.ids_for_period(period_id)
        return [await require_allocation(allocation_id, uow) for allocation_id in ids]


async def require_allocation(
    allocation_id: uuid.UUID, uow: CloseUnitOfWork, *, for_update: bool = False, with_rows: bool = True
) -> Allocation:
    allocation = await uow.allocations.get(allocation_id, for_update=for_update, with_rows=with_rows)
    if allocation is None:
        raise AllocationNotFound("No such allocation.")
    return allocation


async def approve_allocation(
    allocation_id: uuid.UUID, approver: uuid.UUID, uow: CloseUnitOfWork, *, now: datetime | None = None
) -> Allocation:
    """Add a distinct approval; approving twice changes nothing. Announces the approval once reached."""
    async with uow:
        allocation = await require_allocation(allocation_id, uow, for_update=True)
        was = allocation.status
        approval = allocation.approve(approver, now or datetime.now(UTC))
        if approval is None:
            return allocation
        await uow.allocations.add_approval(allocation, approval)
        if allocation.status != was:
            await uow.allocations.update_status(allocation)
            uow.events.append(
                AllocationApproved(allocation.id, allocation.period_id, tuple(a.by for a in allocation.approvals))
            )
        await uow.commit()
    return allocation


async def reject_allocation(
    allocation_id: uuid.UUID, rejecter: uuid.UUID, reason: str, uow: CloseUnitOfWork, *, now: datetime | None = None
) -> Allocation:
    """Send a proposal back, with the reason; a new proposal may then be made."""
    async with uow:
        allocation = await require_allocation(allocation_id, uow, for_update=True)
        allocation.reject(rejecter, now or datetime.now(UTC), reason)
        await uow.allocations.update_status(allocation)
        await uow.commit()
    return allocation
