"""UI for the ledger: periods and the close wizard, allocations, distributions, exports."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from habitat_common.web.observability import long_running

from habitat_gateway.chart_data import allocation_by_member, member_share
from habitat_gateway.routes.deps import ServicesDep
from habitat_gateway.routes.ui_common import (
    ApiError,
    SessionDep,
    for_spreadsheets,
    forbidden,
    form_fields,
    redirect,
    render,
    templates,
)
from habitat_gateway.routes.ui_session import check_csrf
from habitat_gateway.undecided import ensure_nothing_undecided, undecided_contributions

router = APIRouter(include_in_schema=False)
WEIGHTS = ("labor", "capital", "property")
templates.env.globals["allocation_chart"] = allocation_by_member  # the draft's and a proposal's rows, as drawn


@router.get("/periods", response_class=HTMLResponse)
async def periods(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    listing = await services.ledger.request("GET", "/periods", token=session.principal.token)
    return render(request, "periods.html", session=session, items=listing["items"])


@router.post("/periods")
async def create_period(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    form, body = await form_fields(request, ("name", "starts_on", "ends_on"))
    check_csrf(request, form.get("csrf_token"))
    try:
        await services.ledger.request("POST", "/periods", token=session.principal.token, json=body)
    except ApiError as error:
        listing = await services.ledger.request("GET", "/periods", token=session.principal.token)
        return render(request, "periods.html", status=error.status, session=session, items=listing["items"],
                      error=error.message, form=form)
    return redirect(request, "/periods", session, done="period_opened")


async def _period_page(request: Request, session, services, period_id: str, status: int = 200, **extra):
    token = session.principal.token
    period = await services.ledger.request("GET", f"/periods/{period_id}", token=token)
    q = request.query_params
    # a loss is a negative surplus; the tax result is sent only when it differs from the book result
    params = {"surplus": q.get("surplus") or "10000.00"} | {k: q[k] for k in ("tax_surplus", *WEIGHTS) if q.get(k)}
    context = {"period": period, "draft_inputs": params}
    try:
        context["draft"] = await services.ledger.request(
            "GET", f"/periods/{period_id}/draft-allocation", token=token, params=params
        )
        context["share_chart"] = member_share(context["draft"], str(session.principal.member_id))
    except ApiError as error:
        context["draft_error"] = error.message
    if session.principal.has_role("admin"):
        context["report"] = await services.ledger.request("GET", f"/periods/{period_id}/pre-close", token=token)
        if period["status"] != "closed":
            context["undecided"], context["undecided_count"] = await undecided_contributions(services, period_id, token)
        context["allocations"] = (
            await services.ledger.request("GET", f"/periods/{period_id}/allocations", token=token)
        )["items"]
    return render(request, "period.html", status=status, session=session, **context, **extra)


@router.get("/periods/{period_id}", response_class=HTMLResponse)
async def period(request: Request, period_id: str, session: SessionDep, services: ServicesDep) -> Response:
    return await _period_page(request, session, services, period_id)


@router.post("/periods/{period_id}/close")
@long_running
async def start_close(request: Request, period_id: str, session: SessionDep, services: ServicesDep) -> Response:
    form, _ = await form_fields(request, ())
    check_csrf(request, form.get("csrf_token"))
    try:
        await ensure_nothing_undecided(services, period_id, session.principal.token)
        await services.ledger.request("POST", f"/periods/{period_id}/close", token=session.principal.token)
    except ApiError as error:
        return await _period_page(request, session, services, period_id, status=error.status, error=error.message)
    return redirect(request, f"/periods/{period_id}", session, done="close_started")


@router.post("/periods/{period_id}/propose")
async def propose(request: Request, period_id: str, session: SessionDep, services: ServicesDep) -> Response:
    form, fields = await form_fields(request, ("surplus", "tax_surplus", "cash_portion", *WEIGHTS))
    check_csrf(request, form.get("csrf_token"))
    body = {
        "surplus": fields.get("surplus", ""),
        "cash_portion": fields.get("cash_portion", "0"),
        "weights": {w: fields[w] for w in WEIGHTS if w in fields},
    } | ({"tax_surplus": fields["tax_surplus"]} if "tax_surplus" in fields else {})
    try:
        created = await services.ledger.request(
            "POST", f"/periods/{period_id}/allocations", token=session.principal.token, json=body
        )
    except ApiError as error:
        return await _period_page(request, session, services, period_id, status=error.status, error=error.message)
    return redirect(request, f"/allocations/{created['id']}", session, done="proposed")


@router.get("/allocations/{allocation_id}", response_class=HTMLResponse)
async def allocation(request: Request, allocation_id: str, session: SessionDep, services: ServicesDep) -> Response:
    record = await services.ledger.request("GET", f"/allocations/{allocation_id}", token=session.principal.token)
    statement = None
    if any(str(row["member_id"]) == str(session.principal.member_id) for row in record["rows"]):
        statement = await services.ledger.request(
            "GET", f"/allocations/{allocation_id}/statement/{session.principal.member_id}",
            token=session.principal.token,
        )
    return render(request, "allocation.html", session=session, a=record, statement=statement,
                  error=request.query_params.get("error"))


@router.post("/allocations/{allocation_id}/{action}")
@long_running
async def allocation_action(
    request: Request, allocation_id: str, action: str, session: SessionDep, services: ServicesDep
) -> Response:
    form, fields = await form_fields(request, ("reason",))
    check_csrf(request, form.get("csrf_token"))
    if action not in ("approve", "reject", "post"):
        return render(request, "error.html", status=404, session=session, error="Unknown action.")
    try:
        await services.ledger.request(
            "POST", f"/allocations/{allocation_id}/{action}", token=session.principal.token,
            json=fields if action == "reject" else None,
        )
    except ApiError as error:
        record = await services.ledger.request("GET", f"/allocations/{allocation_id}", token=session.principal.token)
        return render(request, "allocation.html", status=error.status, session=session, a=record, statement=None,
                      error=error.message)
    return redirect(request, f"/allocations/{allocation_id}", session, done=f"allocation_{action}")


async def _distributions_page(request: Request, session, services, status: int = 200, **extra) -> Response:
    token = session.principal.token
    listing = await services.ledger.request("GET", "/distributions", token=token)
    moves = []
    if session.principal.has_role("admin"):
        moves = (await services.ledger.request("GET", "/money-moves", token=token, params={"status": "requested"}))["items"]
    waiting = {m["target_id"] for m in moves if m["kind"] == "complete_distribution"}
    return render(request, "distributions.html", status=status, session=session, items=listing["items"],
                  moves=moves, waiting=waiting, **extra)


@router.get("/distributions", response_class=HTMLResponse)
async def distributions(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    return await _distributions_page(request, session, services)


@router.post("/distributions")
async def schedule(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    form, body = await form_fields(request, ("member_id", "amount", "method", "scheduled_on"))
    check_csrf(request, form.get("csrf_token"))
    try:
        await services.ledger.request("POST", "/distributions", token=session.principal.token, json=body)
    except ApiError as error:
        return await _distributions_page(request, session, services, status=error.status, error=error.message, form=form)
    return redirect(request, "/distributions", session, done="distribution_scheduled")


@router.post("/distributions/{distribution_id}/{action}")
async def distribution_action(
    request: Request, distribution_id: str, action: str, session: SessionDep, services: ServicesDep
) -> Response:
    form, body = await form_fields(request, ("reference", "paid_on", "override_reason", "reason"))
    check_csrf(request, form.get("csrf_token"))
    if action not in ("complete", "cancel"):
        return render(request, "error.html", status=404, session=session, error="Unknown action.")
    try:
        await services.ledger.request(
            "POST", f"/distributions/{distribution_id}/{action}", token=session.principal.token, json=body
        )
    except ApiError as error:
        return await _distributions_page(request, session, services, status=error.status, error=error.message, form=form)
    return redirect(request, "/distributions", session, done=f"distribution_{action}")


@router.post("/money-moves/{move_id}/{action}")
async def money_move_action(
    request: Request, move_id: str, action: str, session: SessionDep, services: ServicesDep
) -> Response:
    """A second admin approves (which executes the move) or rejects it; the requester may withdraw it."""
    form, body = await form_fields(request, ("reason",))
    check_csrf(request, form.get("csrf_token"))
    if action not in ("approve", "reject"):
        return render(request, "error.html", status=404, session=session, error="Unknown action.")
    try:
        await services.ledger.request(
            "POST", f"/money-moves/{move_id}/{action}", token=session.principal.token,
            json=body if action == "reject" else None,
        )
    except ApiError as error:
        return await _distributions_page(request, session, services, status=error.status, error=error.message)
    return redirect(request, "/distributions#money-moves", session, done=f"money_move_{action}")


@router.get("/admin/exports", response_class=HTMLResponse)
async def exports(request: Request, session: SessionDep) -> Response:
    if not session.principal.has_role("admin"):
        return forbidden(request, session, "admin")
    return render(request, "exports.html", session=session)


@router.post("/admin/exports/k1/issue")
@long_running
async def issue_k1(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    """Issue a year's K-1s from the exports page; a refusal is shown there with its sentence."""
    form, _ = await form_fields(request, ("year",))
    check_csrf(request, form.get("csrf_token"))
    if not session.principal.has_role("admin"):
        return forbidden(request, session, "admin")
    year = str(form.get("year") or "").strip()
    if not (year.isdigit() and len(year) == 4):
        return render(request, "exports.html", status=422, session=session, error="Give the tax year, e.g. 2026.")
    try:
        issued = await services.ledger.request("POST", f"/exports/k1/{year}/issue", token=session.principal.token)
    except ApiError as error:
        return render(request, "exports.html", status=error.status, session=session, error=error.message)
    return render(request, "exports.html", session=session, issued=issued)


@router.get("/admin/exports/{kind}")
@long_running
async def download(request: Request, kind: str, session: SessionDep, services: ServicesDep) -> Response:
    """K-1 (csv/json) and journals (book/tax) as files, fetched with the browser's session."""
    if not session.principal.has_role("admin"):
        return forbidden(request, session, "admin")
    q = request.query_params
    if kind == "k1":
        path, params, name = "/exports/k1", {"year": q.get("year"), "format": q.get("format", "csv")}, None
        name = f"k1-{params['year']}.{params['format']}"
    elif kind == "journal":
        basis = q.get("basis", "tax")
        path, params, name = "/exports/journal", {"basis": basis}, f"habitat-{basis}.journal"
    else:
        return render(request, "error.html", status=404, session=session, error="Unknown export.")
    try:
        upstream = await services.ledger.download(path, token=session.principal.token, params=params)
    except ApiError as error:
        return render(request, "exports.html", status=error.status, session=session, error=error.message)
    media_type = upstream.headers.get("content-type")
    return Response(for_spreadsheets(upstream.content, media_type), media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
