"""HTTP routes of money moves that need a second admin: list, read, approve, reject (admins)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from habitat_common.api.ledger import Distribution, ReasonRequest, Transaction
from habitat_common.api.ledger_money_moves import MoneyMove as MoneyMoveOut
from habitat_common.api.ledger_money_moves import MoneyMoveApproval, MoneyMoveList, MoneyMoveRejection

from habitat_ledger.domain.distributions.money_move import MoneyMove, MoneyMoveKind, MoneyMoveStatus
from habitat_ledger.entrypoints.dependencies import Admin, Today, Uow
from habitat_ledger.entrypoints.unit_of_work import LedgerUnitOfWork
from habitat_ledger.service_layer.distributions import money_moves

router = APIRouter(tags=["money moves"])  # MoneyMoveOut is the answer, MoneyMove the domain's record


async def money_move_out(move: MoneyMove, uow: LedgerUnitOfWork, response: Response | None = None) -> MoneyMoveOut:
    """The move with what it is about; when answering a request, 202 while it waits for approval."""
    if response is not None and move.status == MoneyMoveStatus.REQUESTED:
        response.status_code = status.HTTP_202_ACCEPTED
    distribution = reversal = None
    async with uow:
        if move.kind == MoneyMoveKind.COMPLETE_DISTRIBUTION and move.target_id:
            found = await uow.distributions.get(move.target_id)
            distribution = Distribution.model_validate(found) if found else None
        if move.kind == MoneyMoveKind.REVERSE_TRANSACTION and move.result_id:
            found = await uow.journal.get(move.result_id)
            reversal = Transaction.model_validate(found) if found else None
    return MoneyMoveOut(
        id=move.id, kind=move.kind.value, status=move.status.value, target_id=move.target_id,
        parameters=move.parameters, content_hash=move.content_hash, requested_by=move.requested_by,
        requested_at=move.requested_at, approvals_required=move.approvals_required,
        approvals=[MoneyMoveApproval(by=a.by, at=a.at) for a in move.approvals], single_admin=move.single_admin,
        rejection=MoneyMoveRejection(**vars(move.rejection)) if move.rejection else None, executed_at=move.executed_at,
        result_id=move.result_id, distribution=distribution, reversal=reversal,
    )


@router.get("/money-moves", response_model=MoneyMoveList)
async def list_money_moves(
    _: Admin,
    uow: Uow,
    status: Annotated[Literal["requested", "executed", "rejected"] | None, Query()] = None,
) -> MoneyMoveList:
    """Money moves, newest first (status=requested: those waiting for a second admin)."""
    found = await money_moves.list_moves(uow, status)
    return MoneyMoveList(items=[await money_move_out(move, uow) for move in found])


@router.get("/money-moves/{move_id}", response_model=MoneyMoveOut)
async def read_money_move(move_id: uuid.UUID, _: Admin, uow: Uow) -> MoneyMoveOut:
    """One money move."""
    return await money_move_out(await money_moves.get_move(move_id, uow), uow)


@router.post("/money-moves/{move_id}/approve", response_model=MoneyMoveOut)
async def approve(move_id: uuid.UUID, caller: Admin, uow: Uow, today: Today) -> MoneyMoveOut:
    """Approve as another admin; the approval that completes the count executes the move, checking it again.

    403 own_distribution for a payment to the approver; 409 money_move_not_pending once rejected.
    """
    return await money_move_out(await money_moves.approve_move(move_id, caller.member_id, uow, today=today), uow)


@router.post("/money-moves/{move_id}/reject", response_model=MoneyMoveOut)
async def reject(move_id: uuid.UUID, body: ReasonRequest, caller: Admin, uow: Uow) -> MoneyMoveOut:
    """Turn a waiting request down with a reason; nothing moves. Its requester may withdraw it so."""
    return await money_move_out(await money_moves.reject_move(move_id, caller.member_id, body.reason, uow), uow)
