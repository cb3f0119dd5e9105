"""/api/v1/contributions and /api/v1/review-queue: submit, list, read, approve."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter

from habitat_gateway.routes.deps import MemberCaller, ServicesDep, StewardCaller
from habitat_gateway.schemas import (
    Contribution,
    ContributionList,
    ReviewQueue,
    ReviewRequest,
    SubmitContributionRequest,
)

router = APIRouter(tags=["contributions"])


@router.post("/contributions", response_model=Contribution, status_code=201)
async def submit_contribution(body: SubmitContributionRequest, caller: MemberCaller, services: ServicesDep) -> dict:
    """Submit labor, capital or property for review; its date must fall in an open period."""
    return await services.contributions.request(
        "POST", "/contributions", token=caller.token, json=body.model_dump(mode="json", exclude_none=True)
    )


@router.get("/contributions", response_model=ContributionList)
async def list_contributions(
    caller: MemberCaller,
    services: ServicesDep,
    status: str | None = None,
    member_id: uuid.UUID | None = None,
    period_id: uuid.UUID | None = None,
    type: Literal["labor", "capital", "property"] | None = None,  # noqa: A002 - public query name
) -> dict:
    """Your contributions; stewards and admins see everyone's. Filter by status, member, period, type."""
    params = {"status": status, "member_id": member_id, "period_id": period_id, "type": type}
    return await services.contributions.request(
        "GET", "/contributions", token=caller.token, params={k: str(v) for k, v in params.items() if v}
    )


@router.get("/contributions/{contribution_id}", response_model=Contribution)
async def read_contribution(contribution_id: uuid.UUID, caller: MemberCaller, services: ServicesDep) -> dict:
    """One contribution: your own, or any for stewards and admins (others answer 404)."""
    return await services.contributions.request("GET", f"/contributions/{contribution_id}", token=caller.token)


@router.post("/contributions/{contribution_id}/approve", response_model=Contribution)
async def approve_contribution(
    contribution_id: uuid.UUID, body: ReviewRequest, caller: StewardCaller, services: ServicesDep
) -> dict:
    """Approve someone else's pending contribution (optional note)."""
    return await services.contributions.request(
        "POST", f"/contributions/{contribution_id}/approve", token=caller.token, json=body.model_dump()
    )


@router.get("/review-queue", response_model=ReviewQueue)
async def review_queue(caller: StewardCaller, services: ServicesDep) -> dict:
    """Pending contributions, oldest first, with age and the 48-hour flag."""
    return await services.contributions.request("GET", "/review-queue", token=caller.token)
