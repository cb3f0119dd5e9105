"""UI: sign-in, sign-out, password change, profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from habitat_gateway.routes.deps import ServicesDep
from habitat_gateway.routes.ui_common import ApiError, SessionDep, redirect, render
from habitat_gateway.routes.ui_session import check_csrf, clear_cookies
from habitat_gateway.signin import keep_device_cookie, sign_in

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home() -> Response:
    return RedirectResponse("/dashboard", status_code=303)


# What the sign-in page says after a mailed link did its work (?done=...); anything else says nothing.
NOTICES = {
    "password_set": "Your new password is set, and every session of your account has ended. Sign in with it.",
    "invitation_accepted": "Your password is set. Sign in with it.",
}


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, done: str = "") -> Response:
    return render(request, "login.html", notice=NOTICES.get(done))


@router.post("/login")
async def login(
    request: Request, services: ServicesDep, email: Annotated[str, Form()], password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        tokens, issued = await sign_in(services, request, email, password, session="web")
    except ApiError as error:
        return render(request, "login.html", status=error.status, error=error.message, email=email)
    response = redirect(request, "/password" if tokens["must_change_password"] else "/dashboard", tokens=tokens)
    keep_device_cookie(request, response, issued)
    return response


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
    body = {"current_password": current_password, "new_password": new_password, "session": "web"}
    try:
        tokens = await services.identity.request("POST", "/auth/password", token=session.principal.token, json=body)
    except ApiError as error:
        return render(request, "password.html", status=error.status, session=session, error=error.message)
    return redirect(request, "/dashboard", tokens=tokens)


@router.get("/profile", response_class=HTMLResponse)
async def profile(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    me = await services.identity.request("GET", "/me", token=session.principal.token)
    return render(request, "profile.html", session=session, profile=me)
