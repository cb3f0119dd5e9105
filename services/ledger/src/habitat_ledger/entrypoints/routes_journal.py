"""HTTP routes on the journal itself: reversals and the events kept aside (exceptions)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status
from habitat_common.api.ledger import LedgerException, LedgerExceptionList, ReverseRequest
from habitat_common.api.ledger_money_moves import MoneyMove

from habitat_ledger.entrypoints.dependencies import Admin, MoneyMovePolicy, Today, Uow
from habitat_ledger.entrypoints.routes_money_moves import money_move_out
from habitat_ledger.service_layer.distributions import money_moves
from habitat_ledger.service_layer.journal import contributions

router = APIRouter(tags=["journal"])


@router.post(
    "/transactions/{transaction_id}/reverse", status_code=status.HTTP_201_CREATED, response_model=MoneyMove,
    responses={202: {"model": MoneyMove, "description": "Requested: waits for a second admin (/money-moves)"}},
)
async def reverse(
    transaction_id: uuid.UUID, body: ReverseRequest, caller: Admin, uow: Uow, today: Today, policy: MoneyMovePolicy,
    response: Response,
) -> MoneyMove:
    """Request a reversing transaction (every posting negated): 202 with the money move a second admin
    approves; 201 executed at once in a single-admin co-op. 409 already_reversed the second time.

    409 period_locked when dated on or before the lock date; 409 reversal_belongs_to_workflow for
    an entry of a contribution, distribution or allocation (the message says how to correct it).
    """
    move = await money_moves.request_reversal(
        transaction_id, body.reason, caller.member_id, uow, policy=policy, occurred_on=body.occurred_on, today=today
    )
    return await money_move_out(move, uow, response)


@router.get("/exceptions", response_model=LedgerExceptionList)
async def exceptions(_: Admin, uow: Uow) -> LedgerExceptionList:
    """Approved contributions kept but not applied: period unknown yet, or dated in a closed period."""
    return LedgerExceptionList(items=[LedgerException.model_validate(e) for e in await contributions.list_exceptions(uow)])
