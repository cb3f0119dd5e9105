"""FastAPI dependencies shared by the routers: the caller (by minimum role), the container, a unit of work."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from habitat_common.auth import Principal, TokenVerifier
from habitat_common.web.security import principal_dependency
from habitat_notifications import bootstrap
from habitat_notifications.service_layer.ports import UnitOfWork


def _verifier(request: Request) -> TokenVerifier:
    return request.app.state.verifier


async def _container(request: Request) -> bootstrap.Container:
    # dependencies are async on purpose: FastAPI runs plain-def ones in a thread pool, per request
    return request.app.state.container


async def _uow(container: Annotated[bootstrap.Container, Depends(_container)]) -> UnitOfWork:
    return container.uow()


Member = Annotated[Principal, Depends(principal_dependency(_verifier, "member"))]
admin_principal = principal_dependency(_verifier, "admin")
Admin = Annotated[Principal, Depends(admin_principal)]
Uow = Annotated[UnitOfWork, Depends(_uow)]
AppContainer = Annotated[bootstrap.Container, Depends(_container)]
