"""HTTP routes of period close: draft allocation, pre-close report, start close, propose."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, status
from habitat_common.api.ledger import Allocation, AllocationWeights, Period
from habitat_common.web.money import MoneyIn
from habitat_common.web.observability import long_running

from habitat_ledger.domain.close.allocation import TYPES, Weights, explain
from habitat_ledger.domain.commands import ProposeAllocation
from habitat_ledger.domain.errors import InvalidAllocationInput
from habitat_ledger.entrypoints.dependencies import Admin, ApprovalsRequired, Member, Uow
from habitat_ledger.entrypoints.routes_allocations import allocation_out
from habitat_ledger.entrypoints.schemas import (
    AllocationIn,
    ByType,
    Difference,
    DraftOut,
    DraftRow,
    PreCloseOut,
    Sealed,
)
from habitat_ledger.service_layer.close import allocations, closing, drafts

router = APIRouter(tags=["period close"])
WeightQuery = Annotated[str, Query(pattern=r"^\d+(\.\d+)?$")]


@router.get("/periods/{period_id}/draft-allocation", response_model=DraftOut)
async def draft_allocation(
    period_id: uuid.UUID,
    caller: Member,
    uow: Uow,
    surplus: Annotated[MoneyIn, Query(description="Book result, e.g. 1000.00; a loss is negative, -1000.00")],
    tax_surplus: Annotated[
        MoneyIn | None, Query(description="Tax result if it differs from the book result, e.g. -800.00")
    ] = None,
    labor: WeightQuery = "1.0",
    capital: WeightQuery = "0.5",
    property: WeightQuery = "0.5",
) -> DraftOut:
    """If the surplus were X, each share would be Y, because…; a member sees totals and only their own row."""
    weights = Weights(Decimal(labor), Decimal(capital), Decimal(property))
    tax = None if tax_surplus is None else Decimal(tax_surplus)
    draft = await drafts.draft_allocation(period_id, Decimal(surplus), weights, uow, tax)
    result = draft.result
    lines = [
        line for line in result.lines if caller.has_role("steward") or line.member_id == caller.member_id
    ]
    rows = [
        DraftRow(
            member_id=line.member_id,
            display_name=draft.names.get(line.member_id),
            by_type={
                t: ByType(value=line.values.get(t, Decimal("0.00")), weight=weights.of(t),
                          weighted=line.values.get(t, Decimal("0.00")) * weights.of(t))
                for t in TYPES
            },
            weighted_patronage=line.weighted,
            share=f"{line.share}",
            allocation=line.allocation,
            tax_allocation=line.tax_allocation,
            explanation=explain(line, result),
        )
        for line in lines
    ]
    return DraftOut(
        period_id=period_id, surplus=result.surplus, tax_surplus=result.tax_surplus, weights=AllocationWeights(**vars(weights)),
        total_weighted=result.total_weighted, rows=rows, allocated_total=result.allocated_total,
        tax_allocated_total=result.tax_allocated_total,
    )


@router.get("/periods/{period_id}/pre-close", response_model=PreCloseOut)
async def pre_close(period_id: uuid.UUID, _: Admin, uow: Uow) -> PreCloseOut:
    """Members, approved totals, whether contributions' sealed totals reconcile, unapplied events."""
    report = await closing.pre_close_report(period_id, uow)
    sealed = report.sealed
    return PreCloseOut(
        period=Period.model_validate(report.period),
        members_with_patronage=report.members_with_patronage,
        approved_count=report.approved_count,
        approved_value_by_type=report.approved_value_by_type,
        sealed=Sealed(
            received=sealed.received, matches=sealed.matches, pending_count=sealed.pending_count,
            differences=[Difference.model_validate(vars(d)) for d in sealed.differences],
        ),
        unapplied_events=report.unapplied_events,
    )


@router.post("/periods/{period_id}/close", response_model=Period)
@long_running
async def start_close(period_id: uuid.UUID, caller: Admin, uow: Uow) -> Period:
    """open → closing (intake stops; contributions seals its totals); again answers the period as is."""
    return Period.model_validate(await closing.start_close(period_id, caller.member_id, uow))


@router.post("/periods/{period_id}/allocations", status_code=status.HTTP_201_CREATED, response_model=Allocation)
@long_running
async def propose(
    period_id: uuid.UUID, body: AllocationIn, caller: Admin, uow: Uow, required: ApprovalsRequired
) -> Allocation:
    """Propose the allocation of a surplus or a loss (negative; no cash portion: 422 loss_has_no_cash_portion),
    with a tax result of its own if it differs; 409 not_reconciled until the sealed totals equal the ledger's."""
    try:
        weights = {k: Decimal(v) for k, v in body.weights.model_dump().items()}
        command = ProposeAllocation(
            period_id, body.surplus, weights, body.cash_portion, caller.member_id, tax_surplus=body.tax_surplus
        )
    except ArithmeticError as error:
        raise InvalidAllocationInput("Not a number.") from error
    allocation = await allocations.propose_allocation(command, uow, approvals_required=required)
    return await allocation_out(allocation, uow)
