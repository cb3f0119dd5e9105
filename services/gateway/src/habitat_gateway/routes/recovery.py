"""/api/v1/auth: forgot password, reset password, accept an invitation (no token needed: the mailed link is)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from habitat_common.api.identity import ForgotPasswordRequest, ResetRequested, SetPasswordRequest

from habitat_gateway.error_responses import EDGE, UPSTREAM, errors
from habitat_gateway.routes.deps import ServicesDep
from habitat_gateway.signin import caller_address

router = APIRouter(tags=["auth"], responses=errors(*UPSTREAM))
LINK_REFUSALS = {
    400: "invalid_token: unknown, or superseded by a newer link; token_used: the link was used already;"
    " token_expired: ask for a new link",
    422: "weak_password: too short, contains your email or name, or easy to guess (the link stays usable);"
    " invalid_request",
}


async def forgot(services, request: Request, email: str) -> dict:
    """Ask identity to mail a reset link, on behalf of the caller's address (its limits key on it)."""
    return await services.identity.request(
        "POST", "/auth/forgot-password", json={"email": email}, headers={"X-Forwarded-For": caller_address(request)}
    )


@router.post(
    "/auth/forgot-password", status_code=202, response_model=ResetRequested,
    responses=errors(*EDGE, 422, notes={
        429: "too_many_attempts: this client asked too often; try again after Retry-After seconds",
    }),
)
async def forgot_password(body: ForgotPasswordRequest, request: Request, services: ServicesDep) -> dict:
    """Mail a single-use link to choose a new password (valid 30 minutes) to the member with this address.

    Always 202 with the same body, whether or not the address belongs to a member, so the answer tells
    nobody who is a member. A newer link makes older ones stop working. An address asked for too often
    gets no further mail for a while (and the same 202); a client asking too often gets 429.
    """
    return await forgot(services, request, body.email)


@router.post("/auth/reset-password", status_code=204, responses=errors(*EDGE, notes=LINK_REFUSALS))
async def reset_password(body: SetPasswordRequest, services: ServicesDep) -> Response:
    """Set a new password with the token of a reset link; the link works once, and every session of the
    member ends (sign in again). A pending member becomes active."""
    await services.identity.request("POST", "/auth/reset-password", json=body.model_dump())
    return Response(status_code=204)


@router.post("/auth/accept-invitation", status_code=204, responses=errors(*EDGE, notes=LINK_REFUSALS))
async def accept_invitation(body: SetPasswordRequest, services: ServicesDep) -> Response:
    """Choose your first password with the token of an invitation link (valid 7 days; the newest link
    only); then sign in. The link works once."""
    await services.identity.request("POST", "/auth/accept-invitation", json=body.model_dump())
    return Response(status_code=204)
