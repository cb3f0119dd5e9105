"""UI: forgot password, and choosing a password from a mailed link (reset or invitation). No JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from habitat_gateway.routes.deps import ServicesDep
from habitat_gateway.routes.recovery import forgot
from habitat_gateway.routes.ui_common import ApiError, redirect, render
from habitat_gateway.routes.ui_session import check_csrf, clear_cookies

router = APIRouter(include_in_schema=False)
SENT = "If the address belongs to a member, a link to choose a new password is on its way. It works once, for 30 minutes."


@dataclass(frozen=True)
class LinkPage:
    """One kind of mailed link: where its form posts, what identity calls it, what the page says."""

    path: str
    title: str
    intro: str
    button: str
    done: str  # the sign-in page's notice afterwards


RESET = LinkPage("/reset-password", "Choose a new password", "Choose a new password for your account.",
                 "Set new password", "password_set")
INVITATION = LinkPage("/accept-invitation", "Welcome to Habitat", "Choose the password you will sign in with.",
                      "Set password", "invitation_accepted")


@router.get("/forgot-password", response_class=HTMLResponse)
async def forgot_page(request: Request) -> Response:
    return render(request, "forgot_password.html")


@router.post("/forgot-password")
async def forgot_password(
    request: Request, services: ServicesDep, email: Annotated[str, Form(max_length=254)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    if not email.strip():
        return render(request, "forgot_password.html", status=422, error="Enter your email address.")
    try:
        await forgot(services, request, email.strip())
    except ApiError as error:
        return render(request, "forgot_password.html", status=error.status, error=error.message, email=email)
    return render(request, "forgot_password.html", sent=SENT)


def _link_page(request: Request, page: LinkPage, token: str, status: int = 200, error: str | None = None) -> Response:
    if not token and error is None:
        status, error = 400, "This link is incomplete. Copy the whole link from the email, or ask for a new one."
    response = render(request, "set_password.html", status=status, page=page, token=token, error=error)
    response.headers["Referrer-Policy"] = "no-referrer"  # the page's own address holds the token
    return response


async def _set_password(request: Request, services, page: LinkPage, token: str, new_password: str,
                        csrf_token: str) -> Response:
    check_csrf(request, csrf_token)
    try:
        await services.identity.request("POST", f"/auth{page.path}", json={"token": token, "new_password": new_password})
    except ApiError as error:
        return _link_page(request, page, token, status=error.status, error=error.message)
    response = redirect(request, f"/login?done={page.done}")
    clear_cookies(response)  # any session this browser held for the member has just ended
    return response


@router.get("/reset-password", response_class=HTMLResponse)
async def reset_page(request: Request, token: str = "") -> Response:
    return _link_page(request, RESET, token)


@router.post("/reset-password")
async def reset_password(
    request: Request, services: ServicesDep, token: Annotated[str, Form(max_length=256)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "", csrf_token: Annotated[str, Form()] = "",
) -> Response:
    return await _set_password(request, services, RESET, token, new_password, csrf_token)


@router.get("/accept-invitation", response_class=HTMLResponse)
async def invitation_page(request: Request, token: str = "") -> Response:
    return _link_page(request, INVITATION, token)


@router.post("/accept-invitation")
async def accept_invitation(
    request: Request, services: ServicesDep, token: Annotated[str, Form(max_length=256)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "", csrf_token: Annotated[str, Form()] = "",
) -> Response:
    return await _set_password(request, services, INVITATION, token, new_password, csrf_token)
