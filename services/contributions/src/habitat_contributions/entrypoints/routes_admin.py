"""Admin routes: historical contributions import (CSV, streamed) and the integrity report."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request

from habitat_common.api.contributions import ContributionsImportReport
from habitat_common.metrics import measured_import
from habitat_common.web.observability import long_running
from habitat_contributions.domain.errors import InvalidImport
from habitat_contributions.entrypoints.dependencies import Admin, AppContainer
from habitat_contributions.entrypoints.schemas_admin import IntegrityOut
from habitat_contributions.service_layer import importing, integrity

router = APIRouter(tags=["admin"])
IMPORT_KIND = "contributions"
CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "reference,member_email,period,type,contributed_on,hours,rate,status,approver_email,"
                "decided_at\nH-1,ana@example.coop,2025-Q4,labor,2025-11-03,6,100,approved,sam@example.coop,"
                "2025-11-05T10:00:00Z\n",
            }
        },
    }
}


@router.post("/imports/contributions", response_model=ContributionsImportReport, openapi_extra=CSV_BODY)
@long_running
async def import_contributions(request: Request, principal: Admin, container: AppContainer, dry_run: bool = False):
    """Import historical contributions from CSV (the raw body, read as a stream); all or nothing.

    422 invalid_csv lists the problems of the first failing pass (format, references, business,
    reconciliation); rows imported before with the same values count as unchanged."""
    measured = measured_import(
        "contributions", IMPORT_KIND, refusals=InvalidImport, rejected_rows=_rejected_rows, enabled=not dry_run
    )
    with measured as run:
        report = await importing.import_contributions(
            request.stream(),
            dry_run=dry_run,
            actor_id=principal.member_id,
            store=container.import_store(),
            policy=container.policy,
            today=container.settings.coop.today(),
        )
        run.accepted = report.summary.rows
    return {
        "dry_run": report.dry_run,
        "import_id": report.import_id,
        "summary": asdict(report.summary),
        "sample": report.sample,
    }


def _rejected_rows(error: BaseException) -> int:
    """Problems of the refused file's first failing pass (a row may have several)."""
    return error.count if isinstance(error, InvalidImport) else 0


@router.get("/integrity", response_model=IntegrityOut)
async def integrity_report(_: Admin, container: AppContainer):
    """Integrity checks over the stored contributions, and approved totals per member."""
    checks, totals = await integrity.check_integrity(container.integrity_checks())
    return {"checks": checks, "approved_totals": totals}
