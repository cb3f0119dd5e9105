"""UI for admins: opening balances and historical contributions from CSV (preview, then confirm), and
the post-import validation report. Large files belong to `habitat import`; the browser takes 5 MB."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from habitat_common.web.observability import long_running

from habitat_gateway.clients.services import integrity_report
from habitat_gateway.routes.deps import ServicesDep
from habitat_gateway.routes.ui_admin import MAX_UPLOAD_BYTES
from habitat_gateway.routes.ui_common import ApiError, SessionDep, forbidden, render, uploaded_file
from habitat_gateway.routes.ui_session import check_csrf

router = APIRouter(include_in_schema=False)
# kind → (owning service, title, the file's columns, the preview's columns: what an admin checks, no ids)
KINDS = {
    "capital-accounts": (
        "ledger", "Opening balances", "member_email,book_balance,tax_balance,as_of[,note]",
        ("line", "member_email", "book_balance", "tax_balance", "as_of", "action", "note"),
    ),
    "contributions": (
        "contributions", "Historical contributions",
        (
            "reference,member_email,period,type,contributed_on,description,hours,rate,amount,fair_market_value,"
            "adjusted_basis,status,approver_email,decided_at[,corrects_reference]"
        ),
        (
            "line", "reference", "member_email", "period", "type", "contributed_on", "value", "book_amount",
            "tax_amount", "status", "approver_email", "decided_at", "corrects_reference",
        ),
    ),
}  # fmt: skip


@router.get("/admin/imports", response_class=HTMLResponse)
async def imports_page(request: Request, session: SessionDep) -> Response:
    if not session.principal.has_role("admin"):
        return forbidden(request, session, "admin")
    return render(request, "imports.html", session=session, kinds=KINDS)


@router.post("/admin/imports/{kind}")
@long_running
async def import_file(request: Request, kind: str, session: SessionDep, services: ServicesDep) -> Response:
    """Upload → dry-run preview (the file travels back in the page) → confirm → real run."""
    if not session.principal.has_role("admin"):
        return forbidden(request, session, "admin")
    if kind not in KINDS:
        return render(request, "imports.html", status=404, session=session, kinds=KINDS, error="No such import.")
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    content = await uploaded_file(form, MAX_UPLOAD_BYTES)
    page = {"session": session, "kinds": KINDS, "kind": kind}
    if content is None:
        error = "Choose a CSV file (at most 5 MB here; use `habitat import` for larger files)."
        return render(request, "imports.html", status=422, error=error, **page)
    dry_run = form.get("confirm") != "yes"
    service = getattr(services, KINDS[kind][0])
    try:
        report = await service.request(
            "POST", f"/imports/{kind}", token=session.principal.token, content=content,
            params={"dry_run": str(dry_run).lower()}, headers={"Content-Type": "text/csv"},
        )
    except ApiError as error:
        return render(request, "imports.html", status=error.status, error=error.message,
                      errors=error.extra.get("errors", []), failed_pass=error.extra.get("pass"), **page)
    return render(request, "imports.html", report=report, content=content.decode("utf-8", errors="replace"), **page)


@router.get("/admin/validate", response_class=HTMLResponse)
async def validate_page(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    """Every service's integrity checks and the ledger-vs-contributions reconciliation, as `habitat validate`."""
    if not session.principal.has_role("admin"):
        return forbidden(request, session, "admin")
    report = await integrity_report(services, session.principal.token)
    return render(request, "validate.html", session=session, report=report)
