"""HTTP routes of data imports: capital accounts' opening balances from CSV (admin)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from habitat_common.api.ledger_money_moves import (
    CapitalAccountsImportReport,
    CapitalAccountsImportSummary,
    OpeningBalanceRow,
)
from habitat_common.metrics import measured_import
from habitat_common.web.observability import long_running

from habitat_ledger.domain.errors import InvalidCsv
from habitat_ledger.entrypoints.dependencies import Admin, MoneyMovePolicy, Today, Uow
from habitat_ledger.entrypoints.routes_money_moves import money_move_out
from habitat_ledger.service_layer.distributions import money_moves

router = APIRouter(tags=["imports"])
IMPORT_KIND = "capital_accounts"
CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "member_email,book_balance,tax_balance,as_of,note\nana@example.org,1500.00,1200.00,2025-12-31,\n",
            }
        },
    }
}


@router.post(
    "/imports/capital-accounts", response_model=CapitalAccountsImportReport, openapi_extra=CSV_BODY,
    responses={202: {"model": CapitalAccountsImportReport, "description": "Checked and kept: waits for a second admin"}},
)
@long_running
async def import_capital_accounts(
    request: Request, caller: Admin, uow: Uow, today: Today, policy: MoneyMovePolicy, response: Response,
    dry_run: bool = False,
) -> CapitalAccountsImportReport:
    """Opening balances from a CSV body, read as it streams; 422 invalid_csv lists a pass's problems, writes nothing.

    A balance dated after today (the co-op's) or on or before the lock date is a business-pass problem.
    A valid file that changes balances is kept with a money move (202): a second admin's approval
    imports exactly its rows, checked again; a single-admin co-op imports at once (200).
    """
    # committed: the file's rows were imported, or kept for a second admin's approval
    measured = measured_import("ledger", IMPORT_KIND, refusals=InvalidCsv, rejected_rows=_rejected, enabled=not dry_run)
    with measured as run:
        report, move = await money_moves.request_capital_import(
            request.stream(), uow, dry_run=dry_run, requested_by=caller.member_id, policy=policy, today=today
        )
        run.accepted = report.summary.rows
    return CapitalAccountsImportReport(
        dry_run=report.dry_run,
        import_id=report.import_id,
        summary=CapitalAccountsImportSummary.model_validate(report.summary),
        sample=[OpeningBalanceRow.model_validate(row) for row in report.sample],
        money_move=await money_move_out(move, uow, response) if move else None,
    )


def _rejected(error: BaseException) -> int:
    """Problems of the refused file's failing pass (a row may have several)."""
    return error.count if isinstance(error, InvalidCsv) else 0
