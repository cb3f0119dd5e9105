"""Browser sessions: tokens in HttpOnly cookies, refreshed transparently, and CSRF for form posts."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response
from habitat_common.auth import InvalidToken, Principal
from habitat_common.web.errors import ApiError

ACCESS_COOKIE = "habitat_access"
REFRESH_COOKIE = "habitat_refresh"
CSRF_COOKIE = "habitat_csrf"
REFRESH_COOKIE_FALLBACK_SECONDS = 12 * 3600  # identity's web-session limit, if its answer does not say


@dataclass
class BrowserSession:
    principal: Principal
    new_tokens: dict | None = None


class NotSignedIn(Exception):
    """No valid session; the UI sends the browser to the sign-in page."""


def csrf_token(request: Request) -> str:
    """The request's CSRF token, minted if the browser has none yet (stored on request.state)."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf", None)
    if not token:
        token = secrets.token_urlsafe(32)
    request.state.csrf = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.cookies.get(CSRF_COOKIE)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise ApiError(403, "csrf_failed", "The form expired or came from another site; reload and try again.")


def set_cookies(request: Request, response: Response, tokens: dict | None = None) -> None:
    secure = request.app.state.settings.cookie_secure
    common = {"httponly": True, "secure": secure, "samesite": "strict", "path": "/"}
    if tokens:
        response.set_cookie(ACCESS_COOKIE, tokens["access_token"], max_age=tokens["expires_in"], **common)
        # the browser forgets the refresh token when identity would refuse it (idle timeout, session end)
        refresh_max_age = tokens.get("refresh_expires_in") or REFRESH_COOKIE_FALLBACK_SECONDS
        response.set_cookie(REFRESH_COOKIE, tokens["refresh_token"], max_age=refresh_max_age, **common)
    csrf = getattr(request.state, "csrf", None)
    if csrf and request.cookies.get(CSRF_COOKIE) != csrf:
        response.set_cookie(CSRF_COOKIE, csrf, **common)


def clear_cookies(response: Response) -> None:
    for name in (ACCESS_COOKIE, REFRESH_COOKIE):
        response.delete_cookie(name, path="/")


async def browser_session(request: Request) -> BrowserSession:
    """The signed-in browser's principal, using the refresh cookie when the access token expired."""
    verifier = request.app.state.verifier
    access = request.cookies.get(ACCESS_COOKIE)
    if access:
        try:
            return BrowserSession(await verifier.verify(access))
        except InvalidToken:
            pass
    refresh = request.cookies.get(REFRESH_COOKIE)
    if not refresh:
        raise NotSignedIn
    try:
        tokens = await request.app.state.services.identity.request(
            "POST", "/auth/refresh", json={"refresh_token": refresh}
        )
        return BrowserSession(await verifier.verify(tokens["access_token"]), new_tokens=tokens)
    except (ApiError, InvalidToken) as error:
        raise NotSignedIn from error
