"""HTTP routes of data imports: capital accounts' opening balances from CSV (admin)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from habitat_ledger.entrypoints.dependencies import Admin, Today, Uow
from habitat_ledger.entrypoints.import_schemas import CapitalImportOut, PlannedRowOut, SummaryOut
from habitat_ledger.service_layer import capital_imports

router = APIRouter(tags=["imports"])
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


@router.post("/imports/capital-accounts", response_model=CapitalImportOut, openapi_extra=CSV_BODY)
async def import_capital_accounts(
    request: Request, caller: Admin, uow: Uow, today: Today, dry_run: bool = False
) -> CapitalImportOut:
    """Opening balances from a CSV body, read as it streams; 422 invalid_csv lists a pass's problems, writes nothing.

    A balance dated after today (the co-op's) or on or before the lock date is a business-pass problem.
    """
    report = await capital_imports.import_capital_accounts(
        request.stream(), uow, dry_run=dry_run, requested_by=caller.member_id, today=today
    )
    return CapitalImportOut(
        dry_run=report.dry_run,
        import_id=report.import_id,
        summary=SummaryOut.model_validate(report.summary),
        sample=[PlannedRowOut.model_validate(row) for row in report.sample],
    )
