"""/api/v1 imports of opening balances and historical contributions, and post-import validation.

Each import is owned by the service that owns the data; the gateway streams the file through as
it arrives (a large CSV never sits whole in memory here) and passes the service's answer on.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from habitat_common.api.ledger_money_moves import CapitalAccountsImportReport
from habitat_common.auth import Principal
from habitat_common.web.observability import long_running

from habitat_gateway.clients.services import integrity_report
from habitat_gateway.clients.upstream import ServiceClient
from habitat_gateway.error_responses import SIGNED_IN, UPSTREAM, errors
from habitat_gateway.routes.deps import AdminCaller, ServicesDep
from habitat_gateway.schemas_imports import ContributionsImportReport, IntegrityReport

router = APIRouter(tags=["imports"], responses=errors(*SIGNED_IN, *UPSTREAM))
IMPORT_TIMEOUT_SECONDS = 600.0  # a million-row file is minutes of upload on a slow link, not ten seconds


def csv_body(example: str) -> dict:
    return {
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}, "example": example}}},
    }


CSV_ERRORS = errors(413, notes={
    422: "invalid_csv: the failing pass (format, references, business, reconciliation), error_count and errors"
         " [{line, column, field, code, message}]; nothing written",
})


async def stream_csv(
    service: ServiceClient, path: str, request: Request, caller: Principal, dry_run: bool,
    timeout: float = IMPORT_TIMEOUT_SECONDS,
) -> Response:
    """The request's CSV body streamed to the owning service's import, its answer passed on."""
    return await service.upload(
        path, request.stream(), token=caller.token, params={"dry_run": str(dry_run).lower()},
        content_type="text/csv", timeout=timeout,
    )


CAPITAL_EXAMPLE = "member_email,book_balance,tax_balance,as_of,note\nada@example.org,1200.00,950.00,2025-12-31,\n"
CONTRIBUTIONS_EXAMPLE = (
    "reference,member_email,period,type,contributed_on,description,hours,rate,amount,fair_market_value,"
    "adjusted_basis,status,approver_email,decided_at\n"
    "Q1-0001,ada@example.org,2026-Q1,labor,2026-01-14,Bookkeeping,4,25.00,,,,approved,sam@example.org,"
    "2026-01-20T10:00:00Z\n"
)


@router.post(
    "/imports/capital-accounts", response_model=CapitalAccountsImportReport, openapi_extra=csv_body(CAPITAL_EXAMPLE),
    responses={202: {"model": CapitalAccountsImportReport,
                     "description": "Checked and kept: waits for a second admin (POST /money-moves/{id}/approve)"}}
    | CSV_ERRORS | errors(notes={409: "money_move_pending: another import waits for approval"}),
)
@long_running
async def import_capital_accounts(
    request: Request, caller: AdminCaller, services: ServicesDep, dry_run: bool = False
) -> Response:
    """Opening balances (book and tax, may be negative) from CSV; all or nothing; re-runs change nothing.

    A file that changes balances is kept with a money move and imported when a second admin approves it."""
    return await stream_csv(services.ledger, "/imports/capital-accounts", request, caller, dry_run)


@router.post(
    "/imports/contributions", response_model=ContributionsImportReport, openapi_extra=csv_body(CONTRIBUTIONS_EXAMPLE),
    responses=CSV_ERRORS,
)
@long_running
async def import_contributions(
    request: Request, caller: AdminCaller, services: ServicesDep, dry_run: bool = False
) -> Response:
    """Historical contributions (pending, approved or rejected) from CSV; approved ones reach the ledger as events."""
    return await stream_csv(services.contributions, "/imports/contributions", request, caller, dry_run)


@router.get("/integrity", response_model=IntegrityReport)
async def validate(caller: AdminCaller, services: ServicesDep) -> dict:
    """Every service's integrity checks and the cross-service reconciliation (what `habitat validate` prints)."""
    return await integrity_report(services, caller.token)
