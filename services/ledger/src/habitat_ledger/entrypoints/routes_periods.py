"""HTTP routes for periods."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status
from habitat_common.api.ledger import CreatePeriodRequest, Period, PeriodList

from habitat_ledger.domain.commands import OpenPeriod
from habitat_ledger.entrypoints.dependencies import Admin, Member, Uow
from habitat_ledger.service_layer.close import periods

router = APIRouter(tags=["periods"])


@router.post("/periods", status_code=status.HTTP_201_CREATED, response_model=Period)
async def open_period(body: CreatePeriodRequest, caller: Admin, uow: Uow) -> Period:
    """Open a period (admin); 409 period_overlap when it shares a day with another."""
    command = OpenPeriod(body.name, body.starts_on, body.ends_on, requested_by=caller.member_id)
    return Period.model_validate(await periods.open_period(command, uow))


@router.get("/periods", response_model=PeriodList)
async def list_periods(_: Member, uow: Uow) -> PeriodList:
    """Every period, earliest first."""
    return PeriodList(items=[Period.model_validate(p) for p in await periods.list_periods(uow)])


@router.get("/periods/{period_id}", response_model=Period)
async def get_period(period_id: uuid.UUID, _: Member, uow: Uow) -> Period:
    """One period."""
    return Period.model_validate(await periods.get_period(period_id, uow))
