"""/api/v1/capital-accounts: a member's capital on book and tax basis."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from habitat_common.web.inputs import IsoDate

from habitat_gateway.error_responses import SIGNED_IN, UPSTREAM, errors
from habitat_gateway.routes.deps import MemberCaller, ServicesDep
from habitat_gateway.schemas_contributions import (
    CapitalAccount,
)

router = APIRouter(tags=["capital accounts"], responses=errors(*SIGNED_IN, *UPSTREAM))


@router.get(
    "/capital-accounts/{member_id}", response_model=CapitalAccount,
    responses=errors(422, notes={404: "capital_account_not_found: none, or another member's"}),
)
async def capital_account(
    member_id: uuid.UUID, caller: MemberCaller, services: ServicesDep, as_of: IsoDate | None = None
) -> dict:
    """Book and tax capital balances; members see only their own (others answer 404)."""
    params = {"as_of": as_of.isoformat() if as_of else None}
    return await services.ledger.request("GET", f"/capital-accounts/{member_id}", token=caller.token, params=params)
