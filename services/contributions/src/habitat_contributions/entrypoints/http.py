"""The contributions HTTP API (FastAPI). It never talks to RabbitMQ: events go through the outbox."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse

from habitat_common.auth import Principal, TokenVerifier
from habitat_common.db import database_is_reachable
from habitat_common.messaging.probe import broker_is_reachable
from habitat_common.telemetry import configure_logging, configure_tracing
from habitat_common.web.errors import error_body, install_error_handlers
from habitat_common.web.observability import install_observability
from habitat_common.web.security import principal_dependency
from habitat_contributions import bootstrap
from habitat_contributions.config import ContributionsSettings
from habitat_contributions.domain import errors
from habitat_contributions.domain.commands import ApproveContribution, SubmitContribution
from habitat_contributions.domain.model import Viewer
from habitat_contributions.entrypoints.schemas import (
    ApproveBody,
    ContributionList,
    ContributionOut,
    QueuedContributionOut,
    ReviewQueue,
    StatusName,
    SubmitContributionBody,
    TypeName,
)
from habitat_contributions.service_layer import handlers, queries
from habitat_contributions.service_layer.ports import ContributionFilter, UnitOfWork

SERVICE = "contributions"
STATUS_OF_ERROR: dict[type[errors.ContributionError], int] = {
    errors.InvalidContribution: 422,
    errors.PeriodNotOpen: 409,
    errors.AlreadyDecided: 409,
    errors.SelfReview: 403,
    errors.ContributionNotFound: 404,
}


def _verifier(request: Request) -> TokenVerifier:
    return request.app.state.verifier


def _container(request: Request) -> bootstrap.Container:
    return request.app.state.container


def _uow(container: Annotated[bootstrap.Container, Depends(_container)]) -> UnitOfWork:
    return container.uow()


Member = Annotated[Principal, Depends(principal_dependency(_verifier, "member"))]
Reviewer = Annotated[Principal, Depends(principal_dependency(_verifier, "steward"))]
Uow = Annotated[UnitOfWork, Depends(_uow)]
AppContainer = Annotated[bootstrap.Container, Depends(_container)]


def _viewer(principal: Principal) -> Viewer:
    return Viewer(member_id=principal.member_id, is_reviewer=principal.has_role("steward"))


def create_app(settings: ContributionsSettings | None = None, verifier: Any = None) -> FastAPI:
    """The HTTP app; verifier is a TokenVerifier or a KeySource (tests pass LocalKeys)."""
    settings = settings or bootstrap.get_settings()
    configure_logging(SERVICE, settings.telemetry)
    configure_tracing(SERVICE, settings.telemetry)
    container = bootstrap.build(settings)
    if verifier is None:
        verifier = bootstrap.token_verifier(settings)
    elif not isinstance(verifier, TokenVerifier):
        verifier = TokenVerifier(settings.auth, verifier)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        yield
        await container.engine.dispose()

    app = FastAPI(title="Habitat contributions", version="1", lifespan=lifespan)
    app.state.container = container
    app.state.verifier = verifier
    install_error_handlers(app)

    @app.exception_handler(errors.ContributionError)
    async def _domain_error(_: Request, exc: errors.ContributionError) -> JSONResponse:
        status = next((s for cls, s in STATUS_OF_ERROR.items() if isinstance(exc, cls)), 400)
        return JSONResponse(error_body(exc.code, exc.message), status_code=status)

    async def database_ok() -> bool:
        return await database_is_reachable(container.engine)

    async def broker_ok() -> bool:
        return await broker_is_reachable(settings.rabbit.url.get_secret_value())

    install_observability(app, SERVICE, {"database": database_ok, "broker": broker_ok})
    app.include_router(_routes())
    return app


def _routes() -> APIRouter:
    router = APIRouter()

    @router.post("/contributions", status_code=201, response_model=ContributionOut)
    async def submit(body: SubmitContributionBody, principal: Member, uow: Uow, container: AppContainer):
        """Submit a contribution in the open period containing its date."""
        cmd = SubmitContribution(member_id=principal.member_id, **body.model_dump())
        return await handlers.submit_contribution(cmd, uow, card=container.rate_card)

    @router.get("/contributions", response_model=ContributionList)
    async def list_contributions(
        principal: Member,
        uow: Uow,
        status: StatusName | None = None,
        member_id: uuid.UUID | None = None,
        period_id: uuid.UUID | None = None,
        type: TypeName | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 200,
        offset: Annotated[int, Query(ge=0)] = 0,
    ):
        """Own contributions for members; everyone's for stewards and admins."""
        where = ContributionFilter(
            member_id=member_id, period_id=period_id, status=status, type=type, limit=limit, offset=offset
        )
        return {"items": await queries.list_contributions(where, _viewer(principal), uow)}

    @router.get("/contributions/{contribution_id}", response_model=ContributionOut)
    async def get_contribution(contribution_id: uuid.UUID, principal: Member, uow: Uow):
        """One contribution: its owner, stewards and admins may read it."""
        return await queries.get_contribution(contribution_id, _viewer(principal), uow)

    @router.post("/contributions/{contribution_id}/approve", response_model=ContributionOut)
    async def approve(contribution_id: uuid.UUID, principal: Reviewer, uow: Uow, body: ApproveBody | None = None):
        """Approve a pending contribution of another member."""
        cmd = ApproveContribution(
            contribution_id=contribution_id, reviewer_id=principal.member_id, note=body.note if body else None
        )
        return await handlers.approve_contribution(cmd, uow)

    @router.get("/review-queue", response_model=ReviewQueue)
    async def review_queue(principal: Reviewer, uow: Uow):
        """Pending contributions, oldest first, with their age in hours."""
        queued = await queries.review_queue(uow)
        return {
            "items": [
                QueuedContributionOut.model_validate(
                    {
                        **ContributionOut.model_validate(q.contribution).model_dump(),
                        "age_hours": q.age_hours,
                        "overdue": q.overdue,
                    }
                )
                for q in queued
            ]
        }

    return router
