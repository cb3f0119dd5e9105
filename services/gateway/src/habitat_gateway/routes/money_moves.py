"""/api/v1 money moves waiting for a second admin: list, read, approve, reject (admins)."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter
from habitat_common.api.ledger import ReasonRequest
from habitat_common.api.ledger_money_moves import MoneyMove, MoneyMoveList

from habitat_gateway.error_responses import EDGE, SIGNED_IN, UPSTREAM, errors
from habitat_gateway.routes.deps import AdminCaller, ServicesDep

router = APIRouter(tags=["money moves"], responses=errors(*SIGNED_IN, *UPSTREAM))


@router.get("/money-moves", response_model=MoneyMoveList, responses=errors(422))
async def list_money_moves(
    caller: AdminCaller, services: ServicesDep, status: Literal["requested", "executed", "rejected"] | None = None
) -> dict:
    """Money moves, newest first; status=requested lists those waiting for a second admin."""
    return await services.ledger.request("GET", "/money-moves", token=caller.token, params={"status": status})


@router.get("/money-moves/{move_id}", response_model=MoneyMove, responses=errors(422, notes={404: "money_move_not_found"}))
async def read_money_move(move_id: uuid.UUID, caller: AdminCaller, services: ServicesDep) -> dict:
    """One money move."""
    return await services.ledger.request("GET", f"/money-moves/{move_id}", token=caller.token)


@router.post(
    "/money-moves/{move_id}/approve", response_model=MoneyMove,
    responses=errors(422, notes={
        403: "own_distribution: nobody approves a payment to themselves",
        404: "money_move_not_found",
        409: "money_move_not_pending (rejected); or what the execution re-checks: period_locked,"
             " would_overdraw_capital, already_reversed, ...",
    }),
)
async def approve(move_id: uuid.UUID, caller: AdminCaller, services: ServicesDep) -> dict:
    """Approve as another admin (the requester alone is never enough); the approval that completes the
    count executes the move, checking it again. Approving twice changes nothing."""
    return await services.ledger.request("POST", f"/money-moves/{move_id}/approve", token=caller.token)


@router.post(
    "/money-moves/{move_id}/reject", response_model=MoneyMove,
    responses=errors(*EDGE, 422, notes={404: "money_move_not_found", 409: "money_move_not_pending"}),
)
async def reject(move_id: uuid.UUID, body: ReasonRequest, caller: AdminCaller, services: ServicesDep) -> dict:
    """Turn a waiting request down with a reason (its requester may withdraw it so); nothing moves."""
    return await services.ledger.request(
        "POST", f"/money-moves/{move_id}/reject", token=caller.token, json=body.model_dump()
    )
