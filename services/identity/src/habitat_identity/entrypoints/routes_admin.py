"""Admin routes: bulk onboarding from CSV and the audit log."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from habitat_common.api.identity import (
    AuditEntry,
    AuditLog,
    Credential,
    ImportReport,
    ImportRow,
    ImportSummary,
    WelcomeEmail,
)
from habitat_common.metrics import measured_import
from habitat_common.web.errors import ApiError
from habitat_common.web.inputs import Limit, Offset, Text
from habitat_common.web.observability import long_running
from habitat_common.web.paging import After, aware_datetime, decode_cursor, encode_cursor

from habitat_identity.adapters.emails import check_email
from habitat_identity.domain.errors import InvalidCsv, RosterTooLarge
from habitat_identity.entrypoints.dependencies import Admin, ContainerDep
from habitat_identity.entrypoints.schemas import IntegrityCheckOut, IntegrityReport
from habitat_identity.service_layer import feeds, onboarding

router = APIRouter(tags=["admin"])
AUDIT_CURSOR = "audit-log"
IMPORT_KIND = "members"
MAX_ROSTER_BYTES = 5 * 1024 * 1024
CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string"}, "example": "email,display_name,role,joined_at\n"}},
    }
}


@router.post("/members/import", response_model=ImportReport, openapi_extra=CSV_BODY)
@long_running
async def import_members(request: Request, caller: Admin, c: ContainerDep, dry_run: bool = True) -> ImportReport:
    """Create or update members from a CSV roster (raw body); 422 invalid_csv lists every error, writes nothing;
    413 too_many_rows over IDENTITY_IMPORT_MAX_ROWS rows."""
    data = await request.body()
    if len(data) > MAX_ROSTER_BYTES:
        raise ApiError(413, "file_too_large", f"The file is larger than {MAX_ROSTER_BYTES // 1024 // 1024} MiB.")
    measured = measured_import(
        "identity", IMPORT_KIND, refusals=(InvalidCsv, RosterTooLarge), rejected_rows=_rejected_rows, enabled=not dry_run
    )
    with measured as run:
        report = await onboarding.import_members(
            data,
            dry_run=dry_run,
            actor_id=caller.member_id,
            uow=c.uow(),
            hasher=c.hasher,
            check_email=check_email,
            sign_in_url=c.settings.public_url,
            today=c.settings.coop.today(),
            max_rows=c.settings.import_max_rows,
            temporary_password_ttl=timedelta(days=c.settings.temporary_password_days),
            invitation_ttl=c.settings.invitation_ttl,
        )
        run.accepted = len(report.rows)
    return ImportReport(
        dry_run=report.dry_run,
        summary=ImportSummary(
            created=report.count("created"), updated=report.count("updated"), unchanged=report.count("unchanged")
        ),
        rows=[ImportRow.model_validate(row) for row in report.rows],
        credentials=[
            Credential(email=w.email, display_name=w.display_name, temporary_password=w.temporary_password)
            for w in report.welcomes
        ],
        welcome_emails=[WelcomeEmail(email=w.email, subject=w.subject, body=w.body) for w in report.welcomes],
    )


def _rejected_rows(error: BaseException) -> int:
    """Rows named by an invalid roster's errors (0 for a roster refused for its size)."""
    return len({e.line for e in error.errors}) if isinstance(error, InvalidCsv) else 0


@router.get("/audit-log", response_model=AuditLog)
async def audit_log(
    _: Admin,
    c: ContainerDep,
    limit: Limit = 100,
    offset: Offset = 0,
    subject_id: uuid.UUID | None = None,
    after: After = None,
    q: Annotated[
        Text | None, Query(max_length=200, description="Part of the action, or of who acted or was acted on (email or name)")
    ] = None,
) -> AuditLog:
    """Every admin action, newest first (admins), searchable, with who acted and was acted on by their current
    display name; `next_cursor` pages on by keyset."""
    key = decode_cursor(after, AUDIT_CURSOR, aware_datetime, uuid.UUID) if after else None
    page = await feeds.read_audit_log(c.uow(), limit=limit, offset=offset, subject_id=subject_id, after=key, q=q)
    last = page.entries[-1] if page.entries else None
    following = encode_cursor(AUDIT_CURSOR, last.at, last.id) if page.more and last else None
    items = [
        AuditEntry.model_validate(e).model_copy(
            update={"actor_name": page.names.get(e.actor_id), "subject_name": page.names.get(e.subject_id)}
        )
        for e in page.entries
    ]
    return AuditLog(items=items, total=page.total, next_cursor=following)


@router.get("/integrity", response_model=IntegrityReport)
async def integrity(_: Admin, c: ContainerDep) -> IntegrityReport:
    """The registry's integrity checks, each with its failure count and a few offenders (admins)."""
    checks = await feeds.integrity_checks(c.uow())
    return IntegrityReport(service="identity", checks=[IntegrityCheckOut.model_validate(check) for check in checks])
