"""Signing in through identity on the caller's behalf: their address and device cookie go along.

The device cookie (habitat_device, OWASP device cookies) is identity's: it signs and checks it. The
gateway only carries it: from the browser or API client to identity's /auth/login, and the one
identity issues on success back to the caller, as an HttpOnly, SameSite=Strict cookie of its own.
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from fastapi import Request, Response
from habitat_common.web.client_address import client_address

from habitat_gateway.clients.upstream import Services

DEVICE_COOKIE = "habitat_device"


def caller_address(request: Request) -> str:
    """The caller's address: X-Forwarded-For counts only from the configured proxies (Caddy)."""
    return client_address(request, request.app.state.settings.trusted_proxies)


async def sign_in(
    services: Services, request: Request, email: str, password: str, *, session: str = "api"
) -> tuple[dict, SimpleCookie]:
    """identity's tokens for email and password, and the Set-Cookie it answered with (the device cookie).

    session "web" starts a web UI session (identity's shorter lifetimes), "api" a refresh-token family."""
    headers = {"X-Forwarded-For": caller_address(request)}
    if agent := request.headers.get("user-agent"):
        headers["User-Agent"] = agent[:200]  # named in the member's new-device notice
    if device := request.cookies.get(DEVICE_COOKIE):
        headers["Cookie"] = f"{DEVICE_COOKIE}={device}"
    answer = await services.identity.call(
        "POST", "/auth/login", json={"email": email, "password": password, "session": session}, headers=headers
    )
    issued: SimpleCookie = SimpleCookie()
    try:
        issued.load(answer.headers.get("set-cookie", ""))
    except CookieError:
        pass
    return answer.json(), issued


def keep_device_cookie(request: Request, response: Response, issued: SimpleCookie) -> None:
    """Hand identity's new device cookie to the caller (Secure as the gateway's other cookies are)."""
    morsel = issued.get(DEVICE_COOKIE)
    if morsel is None or not morsel.value:
        return
    max_age = int(morsel["max-age"]) if str(morsel["max-age"]).isdigit() else None
    response.set_cookie(
        DEVICE_COOKIE, morsel.value, max_age=max_age, path="/", httponly=True, samesite="strict",
        secure=request.app.state.settings.cookie_secure,
    )
