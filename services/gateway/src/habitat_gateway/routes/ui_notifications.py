"""UI for mail: every member's mail settings; for admins, the mail log with resend and the reminder runs."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from habitat_gateway.routes.deps import ServicesDep
from habitat_gateway.routes.ui_common import ApiError, SessionDep, forbidden, form_fields, render
from habitat_gateway.routes.ui_session import check_csrf

router = APIRouter(include_in_schema=False)
STATUSES = ("queued", "sent", "failed", "bounced")
RESENDABLE = ("failed", "bounced")
RUNS = {"weekly_reminder": "Weekly reminder", "final_week": "Final-week push", "steward_digest": "Steward digest"}
PAGE_SIZE = 50


def _switches(form: dict[str, str]) -> dict[str, bool]:
    # an unticked checkbox is not posted at all: absent means off
    return {name: form.get(name) == "yes" for name in ("decisions", "reminders")}


@router.get("/profile/mail", response_class=HTMLResponse)
async def mail_settings(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    try:
        prefs = await services.notifications.request(
            "GET", "/notifications/preferences/me", token=session.principal.token
        )
    except ApiError as error:
        return render(request, "mail_settings.html", status=error.status, session=session, error=error.message)
    return render(request, "mail_settings.html", session=session, prefs=prefs)


@router.post("/profile/mail")
async def save_mail_settings(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    form, _ = await form_fields(request, ())
    check_csrf(request, form.get("csrf_token"))
    chosen = _switches(form)
    try:
        prefs = await services.notifications.request(
            "PUT", "/notifications/preferences/me", token=session.principal.token, json=chosen
        )
    except ApiError as error:
        return render(request, "mail_settings.html", status=error.status, session=session, error=error.message,
                      prefs=chosen)
    return render(request, "mail_settings.html", session=session, prefs=prefs, saved=True)


def _view(source) -> dict[str, str]:
    """The log's filter and page (from the query or from a form that carries them back)."""
    status = source.get("status", "")
    return {"status": status if status in STATUSES else "", "after": source.get("after", "")}


async def _mail_page(request: Request, session, services, view: dict[str, str], status: int = 200, **extra):
    params = {"limit": PAGE_SIZE} | {k: v for k, v in view.items() if v}
    items, next_cursor = [], None
    try:
        page = await services.notifications.request(
            "GET", "/notifications/messages", token=session.principal.token, params=params
        )
        items, next_cursor = page["items"], page.get("next_cursor")
    except ApiError as error:
        # the refusal of a resend or run is the news; the log failing as well must not hide it
        extra.setdefault("error", error.message)
        status = status if status != 200 else error.status
    next_page = urlencode({k: v for k, v in {"status": view["status"], "after": next_cursor}.items() if v})
    return render(request, "admin_mail.html", status=status, session=session, items=items, view=view,
                  next_page=next_page if next_cursor else None, statuses=STATUSES, resendable=RESENDABLE,
                  runs=RUNS, **extra)


@router.get("/admin/mail", response_class=HTMLResponse)
async def mail_log(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    if not session.principal.has_role("admin"):
        return forbidden(request, session, "admin")
    return await _mail_page(request, session, services, _view(request.query_params))


@router.post("/admin/mail/messages/{message_id}/resend")
async def resend(request: Request, message_id: str, session: SessionDep, services: ServicesDep) -> Response:
    form, _ = await form_fields(request, ())
    check_csrf(request, form.get("csrf_token"))
    if not session.principal.has_role("admin"):
        return forbidden(request, session, "admin")
    try:
        resent = await services.notifications.request(
            "POST", f"/notifications/messages/{message_id}/resend", token=session.principal.token
        )
    except ApiError as error:
        return await _mail_page(request, session, services, _view(form), status=error.status, error=error.message)
    return await _mail_page(request, session, services, _view(form), resent=resent)


@router.post("/admin/mail/runs")
async def run_now(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    """Run a reminder's current slot now; the page says whether it ran, ran before, or has no slot."""
    form, _ = await form_fields(request, ())
    check_csrf(request, form.get("csrf_token"))
    if not session.principal.has_role("admin"):
        return forbidden(request, session, "admin")
    kind = form.get("kind", "")
    if kind not in RUNS:
        return await _mail_page(request, session, services, _view(form), status=422,
                                error=f"No such reminder: {kind!r}.")
    try:
        outcome = await services.notifications.request(
            "POST", "/notifications/runs", token=session.principal.token, json={"kind": kind}
        )
    except ApiError as error:
        return await _mail_page(request, session, services, _view(form), status=error.status, error=error.message)
    return await _mail_page(request, session, services, _view(form), outcome=outcome)
