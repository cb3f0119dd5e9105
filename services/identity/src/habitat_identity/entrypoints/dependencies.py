"""FastAPI dependencies: the wired container, and who the caller is."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from habitat_common.auth import Principal, TokenVerifier
from habitat_common.web.security import principal_dependency

from habitat_identity.bootstrap import Container


async def container(request: Request) -> Container:
    # async on purpose: FastAPI runs plain-def dependencies in a thread pool, per request
    return request.app.state.container


def _verifier(request: Request) -> TokenVerifier:
    return request.app.state.container.verifier


ContainerDep = Annotated[Container, Depends(container)]
SignedIn = Annotated[Principal, Depends(principal_dependency(_verifier, allow_password_change_pending=True))]
AnyMember = Annotated[Principal, Depends(principal_dependency(_verifier, "member"))]
Steward = Annotated[Principal, Depends(principal_dependency(_verifier, "steward"))]
Admin = Annotated[Principal, Depends(principal_dependency(_verifier, "admin"))]
