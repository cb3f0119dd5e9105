"""HTTP routes for distributions: list, schedule, complete, cancel."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from habitat_common.api.ledger import (
    CompleteDistributionRequest,
    Distribution,
    DistributionList,
    ReasonRequest,
    ScheduleDistributionRequest,
)
from habitat_common.api.ledger_money_moves import MoneyMove

from habitat_ledger.domain.commands import CompleteDistribution, ScheduleDistribution
from habitat_ledger.domain.errors import DistributionNotFound
from habitat_ledger.entrypoints.dependencies import Admin, Member, MoneyMovePolicy, Today, Uow
from habitat_ledger.entrypoints.routes_money_moves import money_move_out
from habitat_ledger.service_layer.distributions import distributions, money_moves

router = APIRouter(tags=["distributions"])


@router.get("/distributions", response_model=DistributionList)
async def list_distributions(
    caller: Member,
    uow: Uow,
    member_id: uuid.UUID | None = None,
    status: Annotated[Literal["scheduled", "completed", "cancelled"] | None, Query()] = None,
) -> DistributionList:
    """A member sees only their own; stewards and admins all (filter by member_id, status)."""
    if not caller.has_role("steward"):
        if member_id is not None and member_id != caller.member_id:
            return DistributionList(items=[])
        member_id = caller.member_id
    items = await distributions.list_distributions(uow, member_id, status)
    return DistributionList(items=[Distribution.model_validate(d) for d in items])


@router.post("/distributions", status_code=status.HTTP_201_CREATED, response_model=Distribution)
async def schedule(body: ScheduleDistributionRequest, caller: Admin, uow: Uow) -> Distribution:
    """Schedule a payment (admin; 403 own_distribution to yourself); capital is debited only when it is completed."""
    command = ScheduleDistribution(body.member_id, body.amount, body.method, body.scheduled_on, caller.member_id)
    return Distribution.model_validate(await distributions.schedule_distribution(command, uow))


@router.get("/distributions/{distribution_id}", response_model=Distribution)
async def read(distribution_id: uuid.UUID, caller: Member, uow: Uow) -> Distribution:
    """One distribution (owner, steward, admin; another member's → 404)."""
    found = await distributions.get_distribution(distribution_id, uow)
    if found.member_id != caller.member_id and not caller.has_role("steward"):
        raise DistributionNotFound("No such distribution.")
    return Distribution.model_validate(found)


@router.post(
    "/distributions/{distribution_id}/complete", response_model=MoneyMove,
    responses={202: {"model": MoneyMove, "description": "Requested: waits for a second admin (/money-moves)"}},
)
async def complete(
    distribution_id: uuid.UUID, body: CompleteDistributionRequest, caller: Admin, uow: Uow, today: Today, policy: MoneyMovePolicy,
    response: Response,
) -> MoneyMove:
    """Request the payment be recorded: 202 with the money move a second admin approves (then capital
    is debited on both bases); 200 executed at once in a single-admin co-op.

    403 own_distribution to yourself; 409 would_overdraw_capital unless override_reason is given;
    paid_on defaults to today in the co-op's time zone; 409 period_locked on or before the lock date.
    """
    command = CompleteDistribution(distribution_id, body.reference, body.paid_on, body.override_reason, caller.member_id)
    move = await money_moves.request_completion(command, uow, policy=policy, method=body.method, today=today)
    return await money_move_out(move, uow, response)


@router.post("/distributions/{distribution_id}/cancel", response_model=Distribution)
async def cancel(distribution_id: uuid.UUID, body: ReasonRequest, caller: Admin, uow: Uow) -> Distribution:
    """Cancel a scheduled distribution, with the reason."""
    found = await distributions.cancel_distribution(distribution_id, body.reason, caller.member_id, uow)
    return Distribution.model_validate(found)
