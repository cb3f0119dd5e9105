"""Choosing a password by a mailed link: forgot password, reset password, accept an invitation."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request, Response
from habitat_common.api.identity import ForgotPasswordRequest, ResetRequested, SetPasswordRequest
from habitat_common.web.client_address import client_address

from habitat_identity.domain.password_tokens import INVITATION, RESET
from habitat_identity.entrypoints.dependencies import ContainerDep
from habitat_identity.service_layer import auth, recovery

router = APIRouter(tags=["auth"])
RESET_REQUESTED = ResetRequested(
    message="If the address belongs to a member, a link to choose a new password is on its way. It works once,"
    " for a short while."
)


@router.post("/auth/forgot-password", status_code=202, response_model=ResetRequested)
async def forgot_password(
    body: ForgotPasswordRequest, request: Request, background: BackgroundTasks, c: ContainerDep
) -> ResetRequested:
    """Mail a reset link to an active or pending member; always 202 with the same body (no account
    enumeration). 429 with Retry-After when this client asked too often; an address asked for too often
    gets the same 202 and no further mail."""
    client = client_address(request, c.settings.trusted_proxies)
    if await recovery.admit_reset_request(body.email, client, c.uow(), auth.utcnow()):
        # after the answer: looking the member up and issuing the link takes time only when they exist
        background.add_task(recovery.request_password_reset, body.email, c.uow(), ttl=c.settings.password_reset_ttl)
    return RESET_REQUESTED


@router.post("/auth/reset-password", status_code=204)
async def reset_password(body: SetPasswordRequest, c: ContainerDep) -> Response:
    """Set a new password with a reset link's token; every session of the member ends.

    400 invalid_token / token_used / token_expired; 422 weak_password (the link stays usable)."""
    await recovery.set_password_with_token(body.token, body.new_password, RESET, c.uow(), c.hasher, c.strength)
    return Response(status_code=204)


@router.post("/auth/accept-invitation", status_code=204)
async def accept_invitation(body: SetPasswordRequest, c: ContainerDep) -> Response:
    """Choose the first password with an invitation link's token; the member becomes active.

    400 invalid_token / token_used / token_expired; 422 weak_password (the link stays usable)."""
    await recovery.set_password_with_token(body.token, body.new_password, INVITATION, c.uow(), c.hasher, c.strength)
    return Response(status_code=204)
