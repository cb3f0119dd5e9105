"""Sign-in routes: login, refresh, logout, change password, own profile, JWKS."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response
from habitat_common.api.identity import Member, RefreshRequest, TokenPair
from habitat_common.metrics import SIGNIN_ATTEMPTS
from habitat_common.web.answers import json_answer
from habitat_common.web.client_address import client_address
from habitat_common.web.security import UNAUTHORIZED

from habitat_identity.domain.commands import ChangePassword
from habitat_identity.domain.errors import IdentityError, MemberNotFound, TooManyAttempts
from habitat_identity.domain.model import normalize_email
from habitat_identity.entrypoints.dependencies import ContainerDep, SignedIn
from habitat_identity.entrypoints.schemas import (
    ChangePasswordRequest,
    Jwks,
    LoginRequest,
    RevocationOut,
    RevocationPage,
    token_answer,
)
from habitat_identity.service_layer import auth, feeds, members

router = APIRouter()
DEVICE_COOKIE = "habitat_device"


@router.post("/auth/login", response_model=TokenPair, tags=["auth"])
async def login(body: LoginRequest, request: Request, response: Response, c: ContainerDep) -> TokenPair:
    """Sign in with email and password; 429 with Retry-After while the account or client is throttled.

    A success sets the device cookie (habitat_device): later sign-ins to the same account from this
    client skip the per-client limit. 403 temporary_password_expired: ask an admin for a new one.
    """
    try:
        pair = await auth.login(
            body.email,
            body.password,
            c.uow(),
            c.hasher,
            c.issuer,
            client=client_address(request, c.settings.trusted_proxies),
            device_cookie=request.cookies.get(DEVICE_COOKIE),
            devices=c.devices,
            session_kind=body.session,
            rules=c.settings.sessions.rules(),
            user_agent=request.headers.get("user-agent", ""),
        )
    except TooManyAttempts:
        SIGNIN_ATTEMPTS.labels("throttled").inc()
        raise
    except IdentityError:  # wrong or unknown credentials, inactive member, expired temporary password
        SIGNIN_ATTEMPTS.labels("failure").inc()
        raise
    SIGNIN_ATTEMPTS.labels("success").inc()
    response.set_cookie(
        DEVICE_COOKIE,
        c.devices.issue(normalize_email(body.email)),
        max_age=c.settings.device_cookie_days * 24 * 3600,
        path="/auth",
        httponly=True,
        samesite="strict",
    )
    return token_answer(pair)


@router.post("/auth/refresh", response_model=TokenPair, tags=["auth"])
async def refresh(body: RefreshRequest, c: ContainerDep) -> TokenPair:
    """Trade a refresh token for new tokens (the refresh token rotates; the one just traded in answers
    once more for a few seconds with the same tokens, so two tabs at once keep the session)."""
    pair = await auth.refresh(
        body.refresh_token, c.uow(), c.issuer, rules=c.settings.sessions.rules(), sealer=c.sealer
    )
    return token_answer(pair)


@router.post("/auth/logout", status_code=204, tags=["auth"])
async def logout(body: RefreshRequest, c: ContainerDep) -> Response:
    """Revoke a refresh token."""
    await auth.logout(body.refresh_token, c.uow())
    return Response(status_code=204)


@router.post("/auth/password", response_model=TokenPair, tags=["auth"])
async def change_password(body: ChangePasswordRequest, caller: SignedIn, c: ContainerDep) -> TokenPair:
    """Change the own password (also with a temporary one); returns fresh tokens."""
    command = ChangePassword(caller.member_id, body.current_password, body.new_password)
    try:
        pair = await auth.change_password(
            command, c.uow(), c.hasher, c.issuer, c.strength, session_kind=body.session, rules=c.settings.sessions.rules()
        )
    except MemberNotFound:
        raise UNAUTHORIZED from None
    return token_answer(pair)


@router.get("/me", response_model=Member, tags=["members"])
async def me(caller: SignedIn, c: ContainerDep) -> Response:
    """The signed-in member."""
    return json_answer(Member.model_validate(await members.member_view(caller.member_id, c.member_views)))


@router.get("/.well-known/jwks.json", response_model=Jwks, tags=["auth"])
async def jwks(c: ContainerDep) -> dict:
    """Public keys that verify identity's access tokens."""
    return await c.keys.jwks()


@router.get("/auth/revocations", response_model=RevocationPage, tags=["auth"])
async def revocations(c: ContainerDep, after: int = Query(default=0, ge=0)) -> RevocationPage:
    """Ended sessions, for the gateway to refuse their access tokens at once (internal network only)."""
    cursor, entries, reset = await feeds.revocations_after(after, c.uow(), auth.utcnow())
    return RevocationPage(cursor=cursor, revocations=[RevocationOut.model_validate(e) for e in entries], reset=reset)
