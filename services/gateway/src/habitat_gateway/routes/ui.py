"""The web UI: sign-in, password change, dashboard, submit, review queue (server-rendered)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from habitat_common.web.errors import ApiError
from habitat_gateway.clients.services import dashboard
from habitat_gateway.routes.deps import ServicesDep
from habitat_gateway.routes.ui_session import (
    BrowserSession,
    browser_session,
    check_csrf,
    clear_cookies,
    csrf_token,
    set_cookies,
)

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
router = APIRouter(include_in_schema=False)
SessionDep = Annotated[BrowserSession, Depends(browser_session)]


def render(request: Request, name: str, status: int = 200, session: BrowserSession | None = None, **context: Any):
    context |= {"csrf": csrf_token(request), "me": session.principal if session else None}
    response = templates.TemplateResponse(request, name, context, status_code=status)
    set_cookies(request, response, session.new_tokens if session else None)
    return response


def redirect(request: Request, to: str, session: BrowserSession | None = None, tokens: dict | None = None):
    response = RedirectResponse(to, status_code=303)
    set_cookies(request, response, tokens or (session.new_tokens if session else None))
    return response


@router.get("/")
async def home(request: Request) -> Response:
    return RedirectResponse("/dashboard", status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> Response:
    return render(request, "login.html")


@router.post("/login")
async def login(
    request: Request, services: ServicesDep, email: Annotated[str, Form()], password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        tokens = await services.identity.request("POST", "/auth/login", json={"email": email, "password": password})
    except ApiError as error:
        return render(request, "login.html", status=error.status, error=error.message, email=email)
    return redirect(request, "/password" if tokens["must_change_password"] else "/dashboard", tokens=tokens)


@router.post("/logout")
async def logout(request: Request, services: ServicesDep, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    if refresh := request.cookies.get("habitat_refresh"):
        try:
            await services.identity.request("POST", "/auth/logout", json={"refresh_token": refresh})
        except ApiError:
            pass
    response = RedirectResponse("/login", status_code=303)
    clear_cookies(response)
    return response


@router.get("/password", response_class=HTMLResponse)
async def password_page(request: Request, session: SessionDep) -> Response:
    return render(request, "password.html", session=session)


@router.post("/password")
async def change_password(
    request: Request, session: SessionDep, services: ServicesDep,
    current_password: Annotated[str, Form()], new_password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    body = {"current_password": current_password, "new_password": new_password}
    try:
        tokens = await services.identity.request("POST", "/auth/password", token=session.principal.token, json=body)
    except ApiError as error:
        return render(request, "password.html", status=error.status, session=session, error=error.message)
    return redirect(request, "/dashboard", tokens=tokens)


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard_page(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    if session.principal.must_change_password:
        return redirect(request, "/password", session)
    data = await dashboard(services, session.principal.token, str(session.principal.member_id))
    refresh = request.app.state.settings.ui_refresh_seconds
    return render(request, "dashboard.html", session=session, refresh_seconds=refresh, **data)


@router.get("/dashboard/live", response_class=HTMLResponse)
async def dashboard_fragment(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    data = await dashboard(services, session.principal.token, str(session.principal.member_id))
    return render(request, "dashboard_live.html", session=session, **data)


@router.get("/contributions/new", response_class=HTMLResponse)
async def submit_page(request: Request, session: SessionDep) -> Response:
    return render(request, "submit.html", session=session, form={})


@router.post("/contributions/new")
async def submit(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    form = dict(await request.form())
    check_csrf(request, str(form.pop("csrf_token", "")))
    fields = ("type", "contributed_on", "description", "amount", "hours", "rate", "fair_market_value", "adjusted_basis")
    body = {k: str(form[k]).strip() for k in fields if str(form.get(k, "")).strip()}
    try:
        await services.contributions.request("POST", "/contributions", token=session.principal.token, json=body)
    except ApiError as error:
        return render(request, "submit.html", status=error.status, session=session, error=error.message, form=form)
    return redirect(request, "/dashboard", session)


@router.get("/review", response_class=HTMLResponse)
async def review_page(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    if not session.principal.has_role("steward"):
        return render(request, "error.html", status=403, session=session, error="Only stewards review contributions.")
    queue = await services.contributions.request("GET", "/review-queue", token=session.principal.token)
    return render(request, "review.html", session=session, items=queue["items"], error=request.query_params.get("error"))


@router.post("/review/{contribution_id}/approve")
async def approve(
    request: Request, contribution_id: str, session: SessionDep, services: ServicesDep,
    csrf_token: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        await services.contributions.request(
            "POST", f"/contributions/{contribution_id}/approve", token=session.principal.token,
            json={"note": note or None},
        )
    except ApiError as error:
        queue = await services.contributions.request("GET", "/review-queue", token=session.principal.token)
        return render(request, "review.html", status=error.status, session=session, items=queue["items"],
                      error=error.message)
    return redirect(request, "/review", session)


def money(value: Any) -> str:
    return f"{Decimal(str(value)):,.2f}"


templates.env.filters["money"] = money
