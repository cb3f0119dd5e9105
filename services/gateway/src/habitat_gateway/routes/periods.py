"""/api/v1/periods: list, create, read."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from habitat_common.api.ledger import CreatePeriodRequest, Period, PeriodList

from habitat_gateway.error_responses import EDGE, SIGNED_IN, UPSTREAM, errors
from habitat_gateway.routes.deps import AdminCaller, MemberCaller, ServicesDep, StewardCaller
from habitat_gateway.schemas_contributions import (
    IntakeDashboard,
)

router = APIRouter(tags=["periods"], responses=errors(*SIGNED_IN, *UPSTREAM))


@router.get("/periods", response_model=PeriodList)
async def list_periods(caller: MemberCaller, services: ServicesDep) -> dict:
    """All accounting periods."""
    return await services.ledger.request("GET", "/periods", token=caller.token)


@router.post(
    "/periods", response_model=Period, status_code=201,
    responses=errors(*EDGE, notes={
        409: "period_overlap: shares a day with another period; period_name_taken",
        422: "invalid_period (ends before it starts); invalid_date, date_out_of_range; invalid_request",
    }),
)
async def create_period(body: CreatePeriodRequest, caller: AdminCaller, services: ServicesDep) -> dict:
    """Open a new period; periods may not overlap."""
    return await services.ledger.request("POST", "/periods", token=caller.token, json=body.model_dump(mode="json"))


@router.get("/periods/{period_id}", response_model=Period, responses=errors(404, 422))
async def read_period(period_id: uuid.UUID, caller: MemberCaller, services: ServicesDep) -> dict:
    """One period."""
    return await services.ledger.request("GET", f"/periods/{period_id}", token=caller.token)


@router.get("/periods/{period_id}/intake", response_model=IntakeDashboard, responses=errors(404, 422))
async def intake_dashboard(period_id: uuid.UUID, caller: StewardCaller, services: ServicesDep) -> Response:
    """Participation, counts and sums by type and status, decision times, who has not submitted."""
    # forwarded as the service wrote it: the list of who has not submitted runs to thousands in a large co-op
    return await services.contributions.forward("GET", f"/periods/{period_id}/intake", token=caller.token)
