"""UI for stewards and admins: review queue with batch approve, intake dashboard."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from habitat_gateway.chart_data import intake_progress, review_ages
from habitat_gateway.routes.deps import ServicesDep
from habitat_gateway.routes.ui_common import ApiError, SessionDep, forbidden, redirect, render
from habitat_gateway.routes.ui_paging import fetch_page, page_links, page_query
from habitat_gateway.routes.ui_session import check_csrf

router = APIRouter(include_in_schema=False)
FILTERS = ("type", "member_id", "period_id", "status", "q")
QUEUE_PAGE = 50  # the contributions service's own default, as before paging


def _seen_revision(form, contribution_id: str) -> int | None:
    """The revision of a contribution the queue showed (its hidden revision-<id> field)."""
    value = str(form.get(f"revision-{contribution_id}", ""))
    return int(value) if value.isdigit() else None


async def _queue_page(request: Request, session, services, status: int = 200, **extra) -> Response:
    filters = {k: request.query_params.get(k, "") for k in FILTERS}
    params = {k: v for k, v in filters.items() if v} | page_query(request, QUEUE_PAGE)
    queue, refused = await fetch_page(services.contributions, "/review-queue", session.principal.token, params)
    if refused:
        status, extra = 422, extra | {"error": refused}
    periods = await services.ledger.request("GET", "/periods", token=session.principal.token)
    return render(request, "review.html", status=status, session=session, items=queue["items"],
                  filters=filters, periods=periods["items"], limit=request.query_params.get("limit", ""),
                  **page_links(request, queue.get("next_cursor")), **extra)


@router.get("/review", response_class=HTMLResponse)
async def review_page(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    if not session.principal.has_role("steward"):
        return forbidden(request, session, "steward")
    return await _queue_page(request, session, services, error=request.query_params.get("error"))


@router.post("/review/{contribution_id}/approve")
async def approve(request: Request, contribution_id: str, session: SessionDep, services: ServicesDep) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    try:
        await services.contributions.request(
            "POST", f"/contributions/{contribution_id}/approve", token=session.principal.token,
            json={"note": str(form.get("note", "")) or None,
                  "expected_revision": _seen_revision(form, contribution_id)},
        )
    except ApiError as error:
        return await _queue_page(request, session, services, status=error.status, error=error.message)
    return redirect(request, "/review", session, done="approved")


@router.post("/review/batch-approve")
async def batch_approve(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    ids = [str(v) for v in form.getlist("ids")]
    if not ids:
        return await _queue_page(request, session, services, status=422, error="Select at least one contribution.")
    seen = {i: revision for i in ids if (revision := _seen_revision(form, i)) is not None}
    result = await services.contributions.request(
        "POST", "/contributions/batch-approve", token=session.principal.token,
        json={"ids": ids, "expected_revisions": seen},
    )
    return await _queue_page(request, session, services, batch=result["results"])


@router.get("/intake", response_class=HTMLResponse)
async def intake(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    if not session.principal.has_role("steward"):
        return forbidden(request, session, "steward")
    periods = (await services.ledger.request("GET", "/periods", token=session.principal.token))["items"]
    period_id = request.query_params.get("period_id") or next(
        (p["id"] for p in periods if p["status"] == "open"), periods[0]["id"] if periods else None
    )
    figures, charts = None, {}
    if period_id:
        token = session.principal.token
        figures, pending = await asyncio.gather(
            services.contributions.request("GET", f"/periods/{period_id}/intake", token=token),
            services.contributions.request(
                "GET", "/review-queue", token=token, params={"period_id": period_id, "status": "pending", "limit": 500}
            ),
        )
        now = datetime.now(UTC)
        period = next((p for p in periods if p["id"] == period_id), None)
        charts = {
            "progress_chart": intake_progress(figures, period, now.date()),
            "ages_chart": review_ages(pending["items"], now),
        }
    return render(request, "intake.html", session=session, periods=periods, period_id=period_id, d=figures, **charts)
