"""/api/v1 capital statements, distributions and the accountant's exports."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from habitat_common.api.ledger import (
    Distribution,
    DistributionList,
    LedgerExceptionList,
    ReasonRequest,
    ReverseRequest,
    ScheduleDistributionRequest,
    Statement,
)
from habitat_common.api.ledger_money_moves import MoneyMove
from habitat_common.web.inputs import MAX_YEAR, MIN_YEAR, IsoDate
from habitat_common.web.observability import long_running

from habitat_gateway.error_responses import EDGE, SIGNED_IN, UPSTREAM, errors
from habitat_gateway.routes.deps import AdminCaller, MemberCaller, ServicesDep
from habitat_gateway.schemas_ledger import CompleteDistributionRequest, K1Issue

router = APIRouter(tags=["ledger"], responses=errors(*SIGNED_IN, *UPSTREAM))


@router.get(
    "/capital-accounts/{member_id}/statement", response_model=Statement,
    responses=errors(422, notes={404: "capital_account_not_found: none, or another member's"}),
)
async def statement(
    member_id: uuid.UUID, caller: MemberCaller, services: ServicesDep, as_of: IsoDate | None = None
) -> dict:
    """Every transaction with running book and tax balances, each linked to its source."""
    params = {"as_of": as_of.isoformat() if as_of else None}
    return await services.ledger.request(
        "GET", f"/capital-accounts/{member_id}/statement", token=caller.token, params=params
    )


@router.get("/distributions", response_model=DistributionList, responses=errors(422))
async def list_distributions(
    caller: MemberCaller, services: ServicesDep, member_id: uuid.UUID | None = None,
    status: Literal["scheduled", "completed", "cancelled"] | None = None,
) -> dict:
    """Distributions: your own, or everyone's for stewards and admins."""
    params = {"member_id": str(member_id) if member_id else None, "status": status}
    return await services.ledger.request("GET", "/distributions", token=caller.token, params=params)


@router.post(
    "/distributions", response_model=Distribution, status_code=201,
    responses=errors(*EDGE, notes={
        403: "own_distribution: nobody schedules a payment to themselves",
        404: "capital_account_not_found: no such member's capital account",
        409: "period_locked: dated on or before the lock date",
        422: "invalid_distribution (0 or less); amount codes; invalid_date; invalid_request",
    }),
)
async def schedule(body: ScheduleDistributionRequest, caller: AdminCaller, services: ServicesDep) -> dict:
    """Schedule a distribution (capital is debited when it is completed); never to yourself."""
    return await services.ledger.request(
        "POST", "/distributions", token=caller.token, json=body.model_dump(mode="json")
    )


@router.post(
    "/distributions/{distribution_id}/complete", response_model=MoneyMove, status_code=202,
    responses={200: {"model": MoneyMove, "description": "Executed at once (a single-admin co-op)"}} | errors(*EDGE, 422, notes={
        403: "own_distribution: nobody completes or approves a payment to themselves",
        404: "distribution_not_found",
        409: "would_overdraw_capital (give override_reason); period_locked; distribution_not_scheduled;"
             " money_move_pending (another request waits)",
    }),
)
async def complete(
    distribution_id: uuid.UUID, body: CompleteDistributionRequest, caller: AdminCaller, services: ServicesDep
) -> Response:
    """Request recording the payment: a money move a second admin approves (POST /money-moves/{id}/approve),
    which then debits capital on both bases; overdrawing needs an override reason, approved with it."""
    return await services.ledger.forward(
        "POST", f"/distributions/{distribution_id}/complete", token=caller.token,
        json=body.model_dump(mode="json", exclude_none=True),
    )


@router.post(
    "/distributions/{distribution_id}/cancel", response_model=Distribution,
    responses=errors(*EDGE, 422, notes={404: "distribution_not_found", 409: "distribution_not_scheduled"}),
)
async def cancel(
    distribution_id: uuid.UUID, body: ReasonRequest, caller: AdminCaller, services: ServicesDep
) -> dict:
    """Cancel a scheduled distribution."""
    return await services.ledger.request(
        "POST", f"/distributions/{distribution_id}/cancel", token=caller.token, json=body.model_dump()
    )


async def _passthrough(services, caller, path: str, params: dict) -> Response:
    upstream = await services.ledger.download(path, token=caller.token, params=params)
    headers = {k: v for k, v in upstream.headers.items() if k.lower() == "content-disposition"}
    return Response(upstream.content, media_type=upstream.headers.get("content-type"), headers=headers)


@router.get(
    "/exports/k1",
    response_class=Response,
    responses={200: {"content": {"application/json": {}, "text/csv": {}}, "description": "K-1 rows"}}
    | errors(422, notes={409: "k1_does_not_tie (with differences) or k1_periods_not_closed; nothing exported"}),
)
@long_running
async def export_k1(
    caller: AdminCaller, services: ServicesDep, year: Annotated[int, Query(ge=MIN_YEAR, le=MAX_YEAR)],
    format: Literal["json", "csv"] = "json",
) -> Response:
    """K-1 data for a tax year: Item L on tax basis (tied), Item J, book (704(b)) figures alongside."""
    return await _passthrough(services, caller, "/exports/k1", {"year": year, "format": format})


@router.post(
    "/exports/k1/{year}/issue",
    response_model=K1Issue,
    status_code=201,
    responses=errors(notes={
        409: "k1_already_issued (with `issued`: what was issued), k1_does_not_tie (with `differences`),"
             " k1_previous_year_not_issued, or k1_periods_not_closed",
        422: "k1_year_not_started; invalid_request",
    }),
)
@long_running
async def issue_k1(year: Annotated[int, Path(ge=MIN_YEAR, le=MAX_YEAR)], caller: AdminCaller, services: ServicesDep) -> dict:
    """Issue a tax year's K-1s (admin): computed and tie-checked, each member's endings kept as next
    year's beginning, and the year locked like a closed period. Done once per year."""
    return await services.ledger.request("POST", f"/exports/k1/{year}/issue", token=caller.token)


@router.get(
    "/exports/journal",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "hledger journal with balance assertions"}}
    | errors(422),
)
@long_running
async def export_journal(caller: AdminCaller, services: ServicesDep, basis: Literal["book", "tax"]) -> Response:
    """The whole ledger as a plain-text double-entry journal (hledger format), one basis per file."""
    return await _passthrough(services, caller, "/exports/journal", {"basis": basis})


@router.post(
    "/transactions/{transaction_id}/reverse", response_model=MoneyMove, status_code=202,
    responses={201: {"model": MoneyMove, "description": "Executed at once (a single-admin co-op)"}} | errors(*EDGE, 422, notes={
        404: "transaction_not_found",
        409: "already_reversed; period_locked (dated on or before the lock date); reversal_belongs_to_workflow"
             " (the message says where to correct it); money_move_pending",
    }),
)
async def reverse(
    transaction_id: uuid.UUID, body: ReverseRequest, caller: AdminCaller, services: ServicesDep
) -> Response:
    """Request correcting a mistake: once a second admin approves (POST /money-moves/{id}/approve), a new
    transaction with the opposite postings, referencing the original (once).

    Only entries no workflow owns (opening balances) are reversed directly; a contribution is corrected by
    a correction, a distribution or allocation through its own workflow. Nothing is dated on or before the
    lock date (the end of the latest closed period or issued K-1 year)."""
    return await services.ledger.forward(
        "POST", f"/transactions/{transaction_id}/reverse", token=caller.token, json=body.model_dump(mode="json")
    )


@router.get("/exceptions", response_model=LedgerExceptionList)
async def exceptions(caller: AdminCaller, services: ServicesDep) -> dict:
    """Approved contributions waiting on a missing period or dated in a closed one (admins)."""
    return await services.ledger.request("GET", "/exceptions", token=caller.token)
