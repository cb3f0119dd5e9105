"""HTTP routes of a proposed allocation: read, approve, reject, post, and a member's statement."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from habitat_common.api.ledger import Allocation as AllocationOut  # the answer; Allocation is the domain's
from habitat_common.api.ledger import (
    AllocationApproval,
    AllocationInputs,
    AllocationList,
    AllocationRejection,
    AllocationRow,
    AllocationStatement,
    AllocationWeights,
    ReasonRequest,
)
from habitat_common.web.observability import long_running

from habitat_ledger.domain.close.proposal import Allocation
from habitat_ledger.domain.errors import AllocationNotFound
from habitat_ledger.entrypoints.dependencies import Admin, Member, Today, Uow
from habitat_ledger.entrypoints.unit_of_work import LedgerUnitOfWork
from habitat_ledger.service_layer.close import allocations, posting
from habitat_ledger.service_layer.exports import statements

router = APIRouter(tags=["allocations"])


async def allocation_out(allocation: Allocation, uow: LedgerUnitOfWork) -> AllocationOut:
    async with uow:
        names = await uow.members.names()
    return AllocationOut(
        id=allocation.id,
        period_id=allocation.period_id,
        status=allocation.status.value,
        inputs=AllocationInputs(
            surplus=allocation.surplus, tax_surplus=allocation.tax_surplus, weights=AllocationWeights(**vars(allocation.weights)),
            cash_portion=allocation.cash_portion,
        ),
        rows=[
            AllocationRow(display_name=names.get(row.member_id), **{**vars(row), "share": f"{row.share}"})
            for row in allocation.rows
        ],
        contribution_count=allocation.contribution_count,
        content_hash=allocation.content_hash,
        proposed_by=allocation.proposed_by,
        proposed_at=allocation.proposed_at,
        approvals=[AllocationApproval(by=a.by, at=a.at) for a in allocation.approvals],
        approvals_required=allocation.approvals_required,
        rejection=AllocationRejection(**vars(allocation.rejection)) if allocation.rejection else None,
        posted_at=allocation.posted_at,
    )


@router.get("/allocations/{allocation_id}", response_model=AllocationOut)
async def read_allocation(allocation_id: uuid.UUID, caller: Member, uow: Uow) -> AllocationOut:
    """The calculation record; stewards and admins see every row, a member only their own (else 404)."""
    allocation = await allocations.get_allocation(allocation_id, uow)
    if not caller.has_role("steward"):
        if allocation.row_of(caller.member_id) is None:
            raise AllocationNotFound("No such allocation.")
        allocation = allocation.only_row_of(caller.member_id)
    return await allocation_out(allocation, uow)


@router.post("/allocations/{allocation_id}/approve", response_model=AllocationOut)
async def approve(allocation_id: uuid.UUID, caller: Admin, uow: Uow) -> AllocationOut:
    """Approve (distinct admins; the proposer alone is never enough); approving twice changes nothing."""
    return await allocation_out(await allocations.approve_allocation(allocation_id, caller.member_id, uow), uow)


@router.post("/allocations/{allocation_id}/reject", response_model=AllocationOut)
async def reject(allocation_id: uuid.UUID, body: ReasonRequest, caller: Admin, uow: Uow) -> AllocationOut:
    """Send the proposal back with a reason; a new proposal may then be made."""
    allocation = await allocations.reject_allocation(allocation_id, caller.member_id, body.reason, uow)
    return await allocation_out(allocation, uow)


@router.post("/allocations/{allocation_id}/post", response_model=AllocationOut)
@long_running
async def post(allocation_id: uuid.UUID, caller: Admin, uow: Uow, today: Today) -> AllocationOut:
    """Post an approved allocation in one transaction; posting again answers the posted record.

    Cash portions are scheduled today (the co-op's date)."""
    return await allocation_out(await posting.post_allocation(allocation_id, caller.member_id, uow, today=today), uow)


@router.get("/allocations/{allocation_id}/statement/{member_id}", response_model=AllocationStatement)
async def allocation_statement(
    allocation_id: uuid.UUID, member_id: uuid.UUID, caller: Member, uow: Uow
) -> AllocationStatement:
    """A member's part of an allocation in plain sentences (self, steward, admin; others 404)."""
    if caller.member_id != member_id and not caller.has_role("steward"):
        raise AllocationNotFound("No such allocation.")
    statement = await statements.allocation_statement(allocation_id, member_id, uow)
    row = statement.row
    return AllocationStatement(
        member_id=member_id, lines=statement.lines, allocation=row.allocation, tax_allocation=row.tax_allocation,
        cash_portion_amount=row.cash_portion_amount, retained_amount=row.retained_amount,
    )


@router.get("/periods/{period_id}/allocations", response_model=AllocationList)
async def period_allocations(period_id: uuid.UUID, caller: Admin, uow: Uow) -> AllocationList:
    """Every proposal of a period, newest first, so the close wizard can find the current one (admins)."""
    found = await allocations.allocations_of_period(period_id, uow)
    return AllocationList(items=[await allocation_out(a, uow) for a in found])
