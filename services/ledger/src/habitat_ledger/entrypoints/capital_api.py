"""HTTP routes for capital accounts."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from habitat_common.web.errors import ApiError

from habitat_ledger.entrypoints.dependencies import Member, Uow
from habitat_ledger.entrypoints.schemas import CapitalAccountOut
from habitat_ledger.service_layer.capital import get_capital_account

router = APIRouter(tags=["capital accounts"])


@router.get("/capital-accounts/{member_id}", response_model=CapitalAccountOut)
async def read_capital_account(
    member_id: uuid.UUID,
    caller: Member,
    uow: Uow,
    as_of: Annotated[date | None, Query(description="Only transactions dated on or before this day")] = None,
) -> CapitalAccountOut:
    """Book and tax balance of a member (self, steward, admin); another member's → 404."""
    if caller.member_id != member_id and not caller.has_role("steward"):
        raise ApiError(404, "capital_account_not_found", "No such capital account.")
    balance = await get_capital_account(member_id, uow, as_of=as_of)
    return CapitalAccountOut.model_validate(balance)
