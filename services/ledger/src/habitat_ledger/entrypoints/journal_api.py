"""HTTP routes on the journal itself: reversals and the events kept aside (exceptions)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from habitat_ledger.entrypoints.dependencies import Admin, Today, Uow
from habitat_ledger.entrypoints.money_schemas import ExceptionList, ExceptionOut, ReverseIn, TransactionOut
from habitat_ledger.service_layer import contributions, reversals

router = APIRouter(tags=["journal"])


@router.post("/transactions/{transaction_id}/reverse", status_code=status.HTTP_201_CREATED, response_model=TransactionOut)
async def reverse(
    transaction_id: uuid.UUID, body: ReverseIn, caller: Admin, uow: Uow, today: Today
) -> TransactionOut:
    """Record a reversing transaction (every posting negated); 409 already_reversed the second time.

    409 period_locked when dated on or before the lock date; 409 reversal_belongs_to_workflow for
    an entry of a contribution, distribution or allocation (the message says how to correct it).
    """
    reversal = await reversals.reverse_transaction(
        transaction_id, body.reason, caller.member_id, uow, occurred_on=body.occurred_on, today=today
    )
    return TransactionOut.model_validate(reversal)


@router.get("/exceptions", response_model=ExceptionList)
async def exceptions(_: Admin, uow: Uow) -> ExceptionList:
    """Approved contributions kept but not applied: period unknown yet, or dated in a closed period."""
    return ExceptionList(items=[ExceptionOut.model_validate(e) for e in await contributions.list_exceptions(uow)])
