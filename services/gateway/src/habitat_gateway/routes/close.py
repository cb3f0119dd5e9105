"""/api/v1 period close: draft allocation, pre-close report, start close, proposals, approval, posting."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from habitat_common.api.ledger import Allocation, AllocationList, AllocationStatement, Period, ReasonRequest
from habitat_common.web.money import MoneyIn
from habitat_common.web.observability import long_running

from habitat_gateway.error_responses import EDGE, SIGNED_IN, UPSTREAM, errors
from habitat_gateway.routes.deps import AdminCaller, MemberCaller, ServicesDep
from habitat_gateway.schemas_ledger import WEIGHT_PATTERN, DraftAllocation, PreCloseReport, ProposeAllocationRequest
from habitat_gateway.undecided import ensure_nothing_undecided, undecided_contributions

router = APIRouter(tags=["period close"], responses=errors(*SIGNED_IN, *UPSTREAM))
DECIDE = errors(404, 422, notes={
    409: "allocation_not_pending / allocation_not_approved: not in the state this needs; stale_proposal",
})
Weight = Annotated[str | None, Query(pattern=WEIGHT_PATTERN, description="0 to 1000, at most 4 decimals")]


@router.get(
    "/periods/{period_id}/draft-allocation", response_model=DraftAllocation,
    responses=errors(404, notes={
        409: "no_patronage: nobody has weighted patronage to allocate by",
        422: "invalid_allocation_input (a weight over 1000); amount codes; invalid_request",
    }),
)
async def draft_allocation(
    period_id: uuid.UUID, caller: MemberCaller, services: ServicesDep,
    surplus: Annotated[
        MoneyIn, Query(description="Book result to simulate, e.g. 10000.00; a loss is negative, e.g. -1000.00")
    ],
    tax_surplus: Annotated[
        MoneyIn | None, Query(description="Tax result if it differs from the book result, e.g. -900.00")
    ] = None,
    labor: Weight = None, capital: Weight = None, property: Weight = None,
) -> dict:
    """If the result were X (a surplus, or a loss when negative), each share would be Y, because…
    (members see their own row only)."""
    params = {"surplus": str(surplus), "tax_surplus": tax_surplus, "labor": labor, "capital": capital,
              "property": property}
    params = {k: str(v) for k, v in params.items() if v is not None}
    return await services.ledger.request(
        "GET", f"/periods/{period_id}/draft-allocation", token=caller.token, params=params
    )


@router.get("/periods/{period_id}/pre-close", response_model=PreCloseReport, responses=errors(404, 422))
async def pre_close(period_id: uuid.UUID, caller: AdminCaller, services: ServicesDep) -> dict:
    """Contributions still undecided first (list and count), then members, totals and reconciliation."""
    ledger, (undecided, count) = await asyncio.gather(
        services.ledger.request("GET", f"/periods/{period_id}/pre-close", token=caller.token),
        undecided_contributions(services, period_id, caller.token),
    )
    return {"pending_contributions": undecided, "pending_count": count} | ledger


@router.post(
    "/periods/{period_id}/close", response_model=Period,
    responses=errors(404, 422, notes={409: "pending_contributions: undecided contributions of the period, listed "
                                           "(pending_contributions, pending_count); period_not_open"}),
)
@long_running
async def start_close(period_id: uuid.UUID, caller: AdminCaller, services: ServicesDep) -> dict:
    """Start closing: intake stops and contributions seal the period's approved totals.

    Refused (409 pending_contributions, listing them) while contributions of the period are pending or
    awaiting clarification."""
    await ensure_nothing_undecided(services, period_id, caller.token)
    return await services.ledger.request("POST", f"/periods/{period_id}/close", token=caller.token)


@router.post(
    "/periods/{period_id}/allocations", response_model=Allocation, status_code=201,
    responses=errors(*EDGE, 404, notes={
        409: "not_reconciled; period_not_closing; proposal_pending; no_patronage",
        422: "invalid_allocation_input, loss_has_no_cash_portion; amount codes; invalid_request",
    }),
)
@long_running
async def propose(
    period_id: uuid.UUID, body: ProposeAllocationRequest, caller: AdminCaller, services: ServicesDep
) -> dict:
    """Propose the allocation: an immutable calculation record with a content hash (needs reconciliation)."""
    return await services.ledger.request(
        "POST", f"/periods/{period_id}/allocations", token=caller.token, json=body.model_dump(mode="json")
    )


@router.get("/allocations/{allocation_id}", response_model=Allocation, responses=errors(404, 422))
async def read_allocation(allocation_id: uuid.UUID, caller: MemberCaller, services: ServicesDep) -> dict:
    """A calculation record (members see their own row only)."""
    return await services.ledger.request("GET", f"/allocations/{allocation_id}", token=caller.token)


@router.post("/allocations/{allocation_id}/approve", response_model=Allocation, responses=DECIDE)
async def approve(allocation_id: uuid.UUID, caller: AdminCaller, services: ServicesDep) -> dict:
    """Approve as one of the distinct approvers; the proposer alone is never enough."""
    return await services.ledger.request("POST", f"/allocations/{allocation_id}/approve", token=caller.token)


@router.post("/allocations/{allocation_id}/reject", response_model=Allocation, responses=DECIDE | errors(*EDGE))
async def reject(allocation_id: uuid.UUID, body: ReasonRequest, caller: AdminCaller, services: ServicesDep) -> dict:
    """Reject with a reason; a new proposal may then be made."""
    return await services.ledger.request(
        "POST", f"/allocations/{allocation_id}/reject", token=caller.token, json=body.model_dump()
    )


@router.post("/allocations/{allocation_id}/post", response_model=Allocation, responses=DECIDE)
@long_running
async def post(allocation_id: uuid.UUID, caller: AdminCaller, services: ServicesDep) -> dict:
    """Post an approved allocation to every capital account on both bases and close the period (idempotent)."""
    return await services.ledger.request("POST", f"/allocations/{allocation_id}/post", token=caller.token)


@router.get(
    "/allocations/{allocation_id}/statement/{member_id}", response_model=AllocationStatement, responses=errors(404, 422)
)
async def allocation_statement(
    allocation_id: uuid.UUID, member_id: uuid.UUID, caller: MemberCaller, services: ServicesDep
) -> dict:
    """One member's allocation explained step by step (members: their own only)."""
    return await services.ledger.request(
        "GET", f"/allocations/{allocation_id}/statement/{member_id}", token=caller.token
    )


@router.get("/periods/{period_id}/allocations", response_model=AllocationList, responses=errors(404, 422))
async def period_allocations(period_id: uuid.UUID, caller: AdminCaller, services: ServicesDep) -> dict:
    """Every proposal made for a period, newest first (admins)."""
    return await services.ledger.request("GET", f"/periods/{period_id}/allocations", token=caller.token)
