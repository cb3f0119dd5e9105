"""/api/v1/auth and /api/v1/me: sign-in, tokens, password, who am I, my dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from habitat_common.api.identity import Member, RefreshRequest, TokenPair

from habitat_gateway.clients.services import dashboard
from habitat_gateway.error_responses import EDGE, SIGNED_IN, UPSTREAM, errors
from habitat_gateway.routes.deps import AnyCaller, MemberCaller, ServicesDep
from habitat_gateway.schemas import LoginRequest, PasswordChangeRequest
from habitat_gateway.schemas_contributions import Dashboard
from habitat_gateway.signin import keep_device_cookie, sign_in

router = APIRouter(tags=["auth"], responses=errors(*UPSTREAM))

@router.post(
    "/auth/login", response_model=TokenPair,
    responses=errors(*EDGE, 422, notes={
        401: "invalid_credentials: no such account, or the wrong password",
        403: "temporary_password_expired: an admin issues a new temporary password",
        429: "too_many_attempts: the account or this client is throttled; try again after Retry-After seconds",
    }),
)
async def login(body: LoginRequest, request: Request, response: Response, services: ServicesDep) -> dict:
    """Sign in with email and password; a temporary password must be changed first.

    Repeated failures lock the account with back-off and limit the client: 429 with Retry-After.
    A success sets the device cookie `habitat_device`: sent back on later sign-ins to the same account,
    the client's address limit no longer applies to it (the account's lockout still does).
    403 temporary_password_expired: the temporary password is too old; an admin issues a new one.
    """
    tokens, issued = await sign_in(services, request, body.email, body.password)
    keep_device_cookie(request, response, issued)
    return tokens


@router.post(
    "/auth/refresh", response_model=TokenPair,
    responses=errors(*EDGE, 422, notes={401: "invalid_refresh_token: unknown, used, expired or revoked"}),
)
async def refresh(body: RefreshRequest, services: ServicesDep) -> dict:
    """Exchange a refresh token for a new pair; the old refresh token stops working."""
    return await services.identity.request("POST", "/auth/refresh", json=body.model_dump())


@router.post(
    "/auth/logout", status_code=204, responses=errors(*EDGE, 422),
)
async def logout(body: RefreshRequest, services: ServicesDep) -> Response:
    """Revoke a refresh token (sign out)."""
    await services.identity.request("POST", "/auth/logout", json=body.model_dump())
    return Response(status_code=204)


@router.post(
    "/auth/password", response_model=TokenPair,
    responses=errors(*SIGNED_IN, *EDGE, notes={
        400: "invalid_password: the current password is wrong",
        422: "weak_password: too short, contains your email or name, or easy to guess; invalid_request",
        429: "too_many_attempts: the current password is a guess like a sign-in's, and the account is locked"
             " after too many wrong ones; try again after Retry-After seconds",
    }),
)
async def change_password(body: PasswordChangeRequest, caller: AnyCaller, services: ServicesDep) -> dict:
    """Change your own password; returns fresh tokens and ends your other sessions."""
    return await services.identity.request("POST", "/auth/password", token=caller.token, json=body.model_dump())


@router.get("/me", response_model=Member, responses=errors(*SIGNED_IN))
async def me(caller: AnyCaller, services: ServicesDep) -> Response:
    """Your own member record."""
    return await services.identity.forward("GET", "/me", token=caller.token)


@router.get("/me/dashboard", response_model=Dashboard, responses=errors(*SIGNED_IN))
async def my_dashboard(caller: MemberCaller, services: ServicesDep) -> Response:
    """Profile, capital account (book and tax) and recent contributions in one call."""
    kept = await dashboard(services, caller.token, caller.member_id)
    return Response(kept.answer, media_type="application/json")
