"""HTTP routes for capital accounts."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from habitat_common.api.ledger import Statement, StatementLine
from habitat_common.auth import Principal
from habitat_common.web.answers import json_answer
from habitat_common.web.errors import ApiError
from habitat_common.web.inputs import IsoDate

from habitat_ledger.entrypoints.dependencies import Member, StatementReads, Today, Uow
from habitat_ledger.entrypoints.schemas import CapitalAccountOut
from habitat_ledger.service_layer.exports.statements import capital_statement
from habitat_ledger.service_layer.journal.capital import get_capital_account

router = APIRouter(tags=["capital accounts"])


@router.get("/capital-accounts/{member_id}", response_model=CapitalAccountOut)
async def read_capital_account(
    member_id: uuid.UUID,
    caller: Member,
    uow: Uow,
    today: Today,
    as_of: Annotated[
        IsoDate | None, Query(description="Only transactions dated on or before this day")
    ] = None,
) -> CapitalAccountOut:
    """Book and tax balance of a member (self, steward, admin); another member's → 404."""
    ensure_may_see(caller, member_id)
    balance = await get_capital_account(member_id, uow, as_of=as_of, today=today)
    return CapitalAccountOut.model_validate(balance)


def ensure_may_see(caller: Principal, member_id: uuid.UUID) -> None:
    """Self, steward or admin; for anyone else the account does not exist."""
    if caller.member_id != member_id and not caller.has_role("steward"):
        raise ApiError(404, "capital_account_not_found", "No such capital account.")


@router.get("/capital-accounts/{member_id}/statement", response_model=Statement)
async def read_statement(
    member_id: uuid.UUID,
    caller: Member,
    reads: StatementReads,
    today: Today,
    as_of: Annotated[
        IsoDate | None, Query(description="Transactions dated on or before this day; default all")
    ] = None,
    last: Annotated[
        int | None,
        Query(ge=1, le=1000, description="Only the latest this many transactions (balances unchanged)"),
    ] = None,
) -> Response:
    """Every transaction on the member's capital with running book and tax balances."""
    ensure_may_see(caller, member_id)
    statement = await capital_statement(member_id, reads, as_of=as_of, today=today, last=last)
    # validated once here; returned as a model, FastAPI would validate and encode every line again (the
    # dashboard asks for each page view)
    body = Statement(
        member_id=member_id,
        display_name=statement.display_name,
        as_of=statement.as_of,
        lines=[
            StatementLine(
                date=line.movement.occurred_on,
                transaction_id=line.movement.transaction_id,
                source_type=line.movement.source_type,
                source_id=line.movement.source_id,
                description=line.movement.description,
                book_amount=line.movement.book_amount,
                tax_amount=line.movement.tax_amount,
                book_balance=line.book_balance,
                tax_balance=line.tax_balance,
            )
            for line in statement.lines
        ],
        book_balance=statement.book_balance,
        tax_balance=statement.tax_balance,
    )
    return json_answer(body)
