"""Dependencies shared by the gateway's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from habitat_common.auth import Principal, TokenVerifier
from habitat_common.web.security import principal_dependency

from habitat_gateway.clients.upstream import Services


def verifier_of(request: Request) -> TokenVerifier:
    return request.app.state.verifier


async def services_of(request: Request) -> Services:
    # async on purpose: FastAPI runs plain-def dependencies in a thread pool, per request
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(services_of)]
AnyCaller = Annotated[Principal, Depends(principal_dependency(verifier_of, allow_password_change_pending=True))]
MemberCaller = Annotated[Principal, Depends(principal_dependency(verifier_of, "member"))]
StewardCaller = Annotated[Principal, Depends(principal_dependency(verifier_of, "steward"))]
AdminCaller = Annotated[Principal, Depends(principal_dependency(verifier_of, "admin"))]

