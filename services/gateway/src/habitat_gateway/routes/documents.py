"""/api/v1 documents: a member's capital statement as CSV or PDF, their allocation statement and the board's
period report as PDF, passed through from the ledger with its content type and file name."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from habitat_common.web.inputs import IsoDate

from habitat_gateway.error_responses import SIGNED_IN, UPSTREAM, errors
from habitat_gateway.routes.deps import MemberCaller, ServicesDep, StewardCaller
from habitat_gateway.routes.ledger import _passthrough as passthrough

router = APIRouter(tags=["documents"], responses=errors(*SIGNED_IN, *UPSTREAM))
From = Annotated[IsoDate | None, Query(alias="from", description="First day (default: the first transaction's)")]
To = Annotated[IsoDate | None, Query(description="Last day, included (default: today)")]
RANGE_REFUSALS = errors(
    notes={
        404: "capital_account_not_found: none, or another member's",
        422: "invalid_statement_range (from after to, or more than 100 years); invalid_date",
    }
)


def media(kind: str, description: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {kind: {"schema": {"type": "string", "format": "binary"}}}, "description": description}}


def range_params(from_: From, to: To) -> dict[str, str | None]:
    return {"from": from_.isoformat() if from_ else None, "to": to.isoformat() if to else None}


def add_statement_route(kind: str, media_type: str, description: str) -> None:
    """GET /capital-accounts/{member_id}/statement.<kind>, passed through."""

    @router.get(
        f"/capital-accounts/{{member_id}}/statement.{kind}",
        response_class=Response,
        responses=media(media_type, description) | RANGE_REFUSALS,
        name=f"statement_{kind}",
        summary=f"Statement as {kind.upper()}",
    )
    async def statement(
        member_id: uuid.UUID, caller: MemberCaller, services: ServicesDep, from_: From = None, to: To = None
    ) -> Response:
        """Your (or, for stewards and admins, any member's) capital statement from `from` to `to`."""
        params = range_params(from_, to)
        return await passthrough(services, caller, f"/capital-accounts/{member_id}/statement.{kind}", params)


add_statement_route("csv", "text/csv", "The statement: a row brought forward, one per transaction, one carried forward")
add_statement_route("pdf", "application/pdf", "The statement with opening and closing balances")


@router.get(
    "/allocations/{allocation_id}/statement/{member_id}.pdf",
    response_class=Response,
    responses=media("application/pdf", "The member's share in sentences and amounts")
    | errors(422, notes={404: "allocation_not_found: none, no row for the member, or another member's"}),
)
async def allocation_statement_pdf(
    allocation_id: uuid.UUID, member_id: uuid.UUID, caller: MemberCaller, services: ServicesDep
) -> Response:
    """A member's part of an allocation as PDF (self, steward, admin)."""
    return await passthrough(services, caller, f"/allocations/{allocation_id}/statement/{member_id}.pdf", {})


@router.get(
    "/periods/{period_id}/report.pdf",
    response_class=Response,
    responses=media("application/pdf", "Intake by type, the allocation, capital by member at the period's end")
    | errors(422, notes={404: "period_not_found"}),
)
async def period_report_pdf(period_id: uuid.UUID, caller: StewardCaller, services: ServicesDep) -> Response:
    """The period's report for the board (steward, admin)."""
    return await passthrough(services, caller, f"/periods/{period_id}/report.pdf", {})
