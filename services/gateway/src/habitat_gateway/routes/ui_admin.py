"""UI for admins: members (list, search, create, role, deactivate, new temporary password, invite again), CSV
onboarding, audit log."""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from habitat_common.csv_safe import spreadsheet_row
from habitat_common.web.observability import long_running

from habitat_gateway.routes.deps import ServicesDep
from habitat_gateway.routes.ui_common import (
    ApiError,
    SessionDep,
    for_spreadsheets,
    forbidden,
    form_fields,
    redirect,
    render,
    uploaded_file,
)
from habitat_gateway.routes.ui_paging import fetch_page, page_links, page_query
from habitat_gateway.routes.ui_session import check_csrf

router = APIRouter(include_in_schema=False)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MEMBERS_PAGE = 100
AUDIT_PAGE = 200


async def _members_page(request: Request, session, services, status: int = 200, **extra) -> Response:
    filters = {k: request.query_params.get(k, "") for k in ("q", "role", "status")}
    params = {k: v for k, v in filters.items() if v} | page_query(request, MEMBERS_PAGE)
    listing, refused = await fetch_page(services.identity, "/members", session.principal.token, params)
    if refused:
        status, extra = 422, {"error": refused} | extra
    return render(request, "members.html", status=status, session=session, items=listing["items"],
                  total=listing.get("total", len(listing["items"])), filters=filters,
                  limit=request.query_params.get("limit", ""), **page_links(request, listing.get("next_cursor")), **extra)


@router.get("/admin/members", response_class=HTMLResponse)
async def members(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    if not session.principal.has_role("admin"):
        return forbidden(request, session, "admin")
    return await _members_page(request, session, services)


@router.post("/admin/members")
async def create_member(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    form, body = await form_fields(request, ("email", "display_name", "role", "joined_at"))
    check_csrf(request, form.get("csrf_token"))
    body["send_invitation"] = form.get("send_invitation") == "yes"
    try:
        created = await services.identity.request("POST", "/members", token=session.principal.token, json=body)
    except ApiError as error:
        return await _members_page(request, session, services, status=error.status, error=error.message, form=form)
    return await _members_page(request, session, services, created=created)


@router.get("/admin/members/import", response_class=HTMLResponse)
async def import_page(request: Request, session: SessionDep) -> Response:
    if not session.principal.has_role("admin"):
        return forbidden(request, session, "admin")
    return render(request, "import.html", session=session)


@router.post("/admin/members/import")
@long_running
async def import_members(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    """Upload → dry-run preview (the file travels back in the page) → confirm → real run."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    content = await uploaded_file(form, MAX_UPLOAD_BYTES)
    if content is None:
        return render(request, "import.html", status=422, session=session, error="Choose a CSV file (at most 5 MB).")
    dry_run = form.get("confirm") != "yes"
    try:
        report = await services.identity.request(
            "POST", "/members/import", token=session.principal.token, content=content,
            params={"dry_run": str(dry_run).lower()}, headers={"Content-Type": "text/csv"},
        )
    except ApiError as error:
        return render(request, "import.html", status=error.status, session=session, error=error.message,
                      errors=error.extra.get("errors", []))
    text = content.decode("utf-8", errors="replace")
    return render(request, "import.html", session=session, report=report, content=text)


@router.post("/admin/members/import/credentials.csv")
async def credentials_download(request: Request, session: SessionDep) -> Response:
    """The credentials shown once after an import, as a file for the admin's records."""
    form, _ = await form_fields(request, ())
    check_csrf(request, form.get("csrf_token"))
    if not session.principal.has_role("admin"):
        return forbidden(request, session, "admin")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "display_name", "temporary_password"])
    rows = csv.reader(io.StringIO(form.get("credentials", "")))
    # names come from rosters: a cell that could start a formula is written as text
    writer.writerows(spreadsheet_row(row) for row in rows if len(row) == 3)
    return Response(for_spreadsheets(out.getvalue().encode(), "text/csv"), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="credentials.csv"',
                             "Cache-Control": "no-store"})


@router.get("/admin/audit", response_class=HTMLResponse)
async def audit(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    if not session.principal.has_role("admin"):
        return forbidden(request, session, "admin")
    q = request.query_params.get("q", "").strip()
    params = page_query(request, AUDIT_PAGE) | ({"q": q} if q else {})
    log, refused = await fetch_page(services.identity, "/audit-log", session.principal.token, params)
    return render(request, "audit.html", status=422 if refused else 200, session=session, items=log["items"],
                  error=refused, q=q, limit=request.query_params.get("limit"),
                  **page_links(request, log.get("next_cursor")))


@router.post("/admin/members/{member_id}/temporary-password")
async def issue_temporary_password(
    request: Request, member_id: str, session: SessionDep, services: ServicesDep
) -> Response:
    form, _ = await form_fields(request, ())
    check_csrf(request, form.get("csrf_token"))
    try:
        issued = await services.identity.request(
            "POST", f"/members/{member_id}/temporary-password", token=session.principal.token
        )
    except ApiError as error:
        return await _members_page(request, session, services, status=error.status, error=error.message)
    return await _members_page(request, session, services, reissued=issued)


@router.post("/admin/members/{member_id}/invitation")
async def invite_member(request: Request, member_id: str, session: SessionDep, services: ServicesDep) -> Response:
    form, _ = await form_fields(request, ())
    check_csrf(request, form.get("csrf_token"))
    try:
        await services.identity.request("POST", f"/members/{member_id}/invitation", token=session.principal.token)
    except ApiError as error:
        return await _members_page(request, session, services, status=error.status, error=error.message)
    return await _members_page(request, session, services, invited=member_id)


@router.post("/admin/members/{member_id}")
async def change_member(request: Request, member_id: str, session: SessionDep, services: ServicesDep) -> Response:
    form, body = await form_fields(request, ("role", "status"))
    check_csrf(request, form.get("csrf_token"))
    try:
        await services.identity.request("PATCH", f"/members/{member_id}", token=session.principal.token, json=body)
    except ApiError as error:
        return await _members_page(request, session, services, status=error.status, error=error.message)
    return redirect(request, "/admin/members", session, done="member_changed")
