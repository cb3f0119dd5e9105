"""UI for every member: dashboard, submit, my contributions, a contribution's detail, edit and answer."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from habitat_gateway.chart_data import capital_over_time, patronage_by_type
from habitat_gateway.clients.services import dashboard
from habitat_gateway.routes.deps import ServicesDep
from habitat_gateway.routes.ui_common import ApiError, SessionDep, form_fields, redirect, render
from habitat_gateway.routes.ui_paging import fetch_page, page_links, page_query
from habitat_gateway.routes.ui_session import check_csrf

router = APIRouter(include_in_schema=False)
VALUE_FIELDS = ("amount", "hours", "rate", "fair_market_value", "adjusted_basis")
SUBMIT_FIELDS = ("type", "contributed_on", "description", *VALUE_FIELDS, "corrects_contribution_id")
EDIT_FIELDS = ("contributed_on", "description", *VALUE_FIELDS)
MY_PAGE = 100


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard_page(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    if session.principal.must_change_password:
        return redirect(request, "/password", session)
    data = (await dashboard(services, session.principal.token, session.principal.member_id)).data()
    refresh = request.app.state.settings.ui_refresh_seconds
    # the pictures come from what the page fetched (the statement window, the period's patronage): no extra call
    charts = {
        "capital_chart": capital_over_time(data["statement_window"], _day(data["capital_account"].get("as_of"))),
        "patronage_chart": patronage_by_type(data["patronage"]),
    }
    return render(request, "dashboard.html", session=session, refresh_seconds=refresh, **data, **charts)


@router.get("/dashboard/live", response_class=HTMLResponse)
async def dashboard_fragment(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    data = (await dashboard(services, session.principal.token, session.principal.member_id)).data()
    return render(request, "dashboard_live.html", session=session, **data)


@router.get("/contributions/new", response_class=HTMLResponse)
async def submit_page(request: Request, session: SessionDep) -> Response:
    form = {"corrects_contribution_id": request.query_params.get("corrects", "")}
    return render(request, "submit.html", session=session, form=form)


@router.post("/contributions/new")
async def submit(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    form, body = await form_fields(request, SUBMIT_FIELDS)
    check_csrf(request, form.get("csrf_token"))
    headers = {"Idempotency-Key": form["idempotency_key"]} if form.get("idempotency_key") else None
    try:
        await services.contributions.request(
            "POST", "/contributions", token=session.principal.token, json=body, headers=headers
        )
    except ApiError as error:
        return render(request, "submit.html", status=error.status, session=session, error=error.message, form=form)
    return redirect(request, "/contributions", session, done="submitted")


async def _my_list(request: Request, services, session) -> tuple[dict, str | None]:
    """A page of the member's own contributions, filtered, searched and positioned as the address says."""
    params = {k: request.query_params.get(k) for k in ("status", "q")}
    params = {k: v for k, v in params.items() if v} | {"member_id": str(session.principal.member_id)}
    params |= page_query(request, MY_PAGE)
    return await fetch_page(services.contributions, "/contributions", session.principal.token, params)


@router.get("/contributions", response_class=HTMLResponse)
async def my_contributions(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    listing, refused = await _my_list(request, services, session)
    refresh = request.app.state.settings.ui_refresh_seconds
    return render(request, "my_contributions.html", status=422 if refused else 200, session=session,
                  items=listing["items"], refresh_seconds=refresh, status_filter=request.query_params.get("status", ""),
                  q=request.query_params.get("q", ""), limit=request.query_params.get("limit", ""),
                  live_query=request.url.query, error=refused, **page_links(request, listing.get("next_cursor")))


@router.get("/contributions/live", response_class=HTMLResponse)
async def my_contributions_fragment(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    listing, _ = await _my_list(request, services, session)
    return render(request, "my_contributions_live.html", session=session, items=listing["items"])


@router.get("/contributions/{contribution_id}", response_class=HTMLResponse)
async def detail(request: Request, contribution_id: str, session: SessionDep, services: ServicesDep) -> Response:
    item = await services.contributions.request(
        "GET", f"/contributions/{contribution_id}", token=session.principal.token
    )
    return render(request, "contribution.html", session=session, c=item, error=request.query_params.get("error"))


async def _act(
    request, session, services, contribution_id: str, method: str, path: str, fields, extra=(), *, done: str
):
    form, body = await form_fields(request, (*fields, *extra))
    check_csrf(request, form.get("csrf_token"))
    if body.get("expected_revision", "").isdigit():
        body["expected_revision"] = int(body["expected_revision"])
    try:
        await services.contributions.request(method, path, token=session.principal.token, json=body)
    except ApiError as error:
        item = await services.contributions.request(
            "GET", f"/contributions/{contribution_id}", token=session.principal.token
        )
        return render(request, "contribution.html", status=error.status, session=session, c=item, error=error.message)
    return redirect(request, f"/contributions/{contribution_id}", session, done=done)


@router.post("/contributions/{contribution_id}/edit")
async def edit(request: Request, contribution_id: str, session: SessionDep, services: ServicesDep) -> Response:
    path = f"/contributions/{contribution_id}"
    return await _act(request, session, services, contribution_id, "PATCH", path, EDIT_FIELDS, done="edited")


@router.post("/contributions/{contribution_id}/respond")
async def respond(request: Request, contribution_id: str, session: SessionDep, services: ServicesDep) -> Response:
    path = f"/contributions/{contribution_id}/respond"
    return await _act(request, session, services, contribution_id, "POST", path, ("answer",), EDIT_FIELDS, done="answered")


@router.post("/contributions/{contribution_id}/review/{action}")
async def review(
    request: Request, contribution_id: str, action: str, session: SessionDep, services: ServicesDep
) -> Response:
    fields = {"approve": ("note",), "reject": ("reason",), "request-clarification": ("question",)}
    if action not in fields:
        return render(request, "error.html", status=404, session=session, error="Unknown review action.")
    path = f"/contributions/{contribution_id}/{action}"
    # the revision the page showed: an edit made since refuses the decision (stale_revision)
    done = {"approve": "approved", "reject": "rejected", "request-clarification": "asked"}[action]
    return await _act(
        request, session, services, contribution_id, "POST", path, (*fields[action], "expected_revision"), done=done
    )
