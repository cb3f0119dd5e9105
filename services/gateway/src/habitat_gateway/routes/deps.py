"""Dependencies shared by the gateway's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from habitat_common.auth import Principal, TokenVerifier
from habitat_common.web.security import principal_dependency

from habitat_gateway.clients.upstream import Services


def verifier_of(request: Request) -> TokenVerifier:
    return request.app.state.verifier


async def services_of(request: Request) -> Services:
    # async on purpose: FastAPI runs plain-def dependencies in a thread pool, per request
    return request.app.state.services


# declares the bearer scheme in the OpenAPI (clients and fuzzers see which operations need a token);
# the principal dependency does the checking and answers 401/403 in the house error body
_BEARER = HTTPBearer(auto_error=False, description="The access_token from POST /auth/login")
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]


def _caller(minimum_role: str = "member", *, allow_password_change_pending: bool = False):
    check = principal_dependency(verifier_of, minimum_role, allow_password_change_pending=allow_password_change_pending)

    async def caller(request: Request, _: Bearer) -> Principal:
        return await check(request)

    return caller


ServicesDep = Annotated[Services, Depends(services_of)]
AnyCaller = Annotated[Principal, Depends(_caller(allow_password_change_pending=True))]
MemberCaller = Annotated[Principal, Depends(_caller("member"))]
StewardCaller = Annotated[Principal, Depends(_caller("steward"))]
AdminCaller = Annotated[Principal, Depends(_caller("admin"))]

