"""The contributions HTTP API (FastAPI). It never talks to RabbitMQ: events go through the outbox."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from habitat_common.auth import Principal, TokenVerifier
from habitat_common.db import database_is_reachable
from habitat_common.messaging.dead_letter_store import DeadLetterStore
from habitat_common.messaging.probe import broker_is_reachable
from habitat_common.metrics import (
    CHANNELS,
    CONTRIBUTIONS_DECIDED,
    CONTRIBUTIONS_SUBMITTED,
    preinitialise,
    preinitialise_imports,
)
from habitat_common.revocation import revocation_feed_for
from habitat_common.runtime import settle_startup_objects
from habitat_common.telemetry import configure_logging, configure_tracing
from habitat_common.web.caching import install_no_store
from habitat_common.web.dead_letters import dead_letters_router
from habitat_common.web.errors import error_body, install_error_handlers
from habitat_common.web.inputs import Limit, Offset, Text
from habitat_common.web.observability import install_observability
from habitat_common.web.paging import After, aware_datetime, decode_cursor, encode_cursor
from habitat_contributions import bootstrap
from habitat_contributions.adapters import orm
from habitat_contributions.config import ContributionsSettings
from habitat_contributions.domain import errors
from habitat_contributions.domain.commands import (
    ApproveContribution,
    EditContribution,
    RejectContribution,
    RequestClarification,
    RespondToClarification,
    SubmitContribution,
)
from habitat_contributions.domain.model import ContributionStatus, ContributionType, Viewer
from habitat_contributions.entrypoints import routes_admin, routes_rate_card
from habitat_contributions.entrypoints.dependencies import AppContainer, Member, Reviewer, Uow, admin_principal
from habitat_contributions.entrypoints.schemas import (
    ApproveBody,
    BatchApproveBody,
    BatchApproveOut,
    ClarifyBody,
    ContributionList,
    ContributionOut,
    EditContributionBody,
    IntakeOut,
    QueuedContributionOut,
    RejectBody,
    RespondBody,
    ReviewQueue,
    StatusName,
    SubmitContributionBody,
    TypeName,
)
from habitat_contributions.service_layer import handlers, queries, review
from habitat_contributions.service_layer.ports import ContributionFilter

SERVICE = "contributions"
STATUS_OF_ERROR: dict[type[errors.ContributionError], int] = {
    errors.InvalidContribution: 422,
    errors.PeriodNotOpen: 409,
    errors.AlreadyDecided: 409,
    errors.SelfReview: 403,
    errors.NotSubmitter: 403,
    errors.MemberNotActive: 403,
    errors.IdempotencyConflict: 409,
    errors.StaleRevision: 409,
    errors.ContributionNotFound: 404,
    errors.InvalidImport: 422,
}


def _intake_rules(container: bootstrap.Container) -> dict:
    """What submissions and edits are checked against: rate card, review policy, the co-op's today."""
    return {"card": container.rate_card, "policy": container.policy, "today": container.settings.coop.today()}


def _json(body: BaseModel) -> Response:
    """One validation, then pydantic's own JSON: FastAPI would validate the answer again against the
    response model and encode it in two more passes."""
    return Response(body.model_dump_json(), media_type="application/json")


def _viewer(principal: Principal) -> Viewer:
    return Viewer(member_id=principal.member_id, is_reviewer=principal.has_role("steward"))


def create_app(settings: ContributionsSettings | None = None, verifier: Any = None) -> FastAPI:
    """The HTTP app; verifier is a TokenVerifier or a KeySource (tests pass LocalKeys)."""
    settings = settings or bootstrap.get_settings()
    configure_logging(SERVICE, settings.telemetry)
    configure_tracing(SERVICE, settings.telemetry)
    container = bootstrap.build(settings)
    feed = None
    if verifier is None:
        feed = revocation_feed_for(settings.auth)
        verifier = bootstrap.token_verifier(settings, feed.revocations if feed else None)
    elif not isinstance(verifier, TokenVerifier):
        verifier = TokenVerifier(settings.auth, verifier)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        if feed:
            await feed.start()
        settle_startup_objects()
        yield
        if feed:
            await feed.stop()
        await container.engine.dispose()

    app = FastAPI(title="Habitat contributions", version="1", lifespan=lifespan)
    app.state.container = container
    app.state.verifier = verifier
    install_error_handlers(app)

    @app.exception_handler(errors.ContributionError)
    async def _domain_error(_: Request, exc: errors.ContributionError) -> JSONResponse:
        status = next((s for cls, s in STATUS_OF_ERROR.items() if isinstance(exc, cls)), 400)
        body = error_body(exc.code, exc.message)
        if isinstance(exc, errors.InvalidImport):
            body["error"] |= routes_admin.import_problems(exc)
        return JSONResponse(body, status_code=status)

    async def database_ok() -> bool:
        return await database_is_reachable(container.engine)

    async def broker_ok() -> bool:
        return await broker_is_reachable(settings.rabbit.url.get_secret_value())

    checks = {"database": database_ok, "broker": broker_ok} | ({"revocations": feed.ready} if feed else {})
    install_observability(app, SERVICE, checks)
    _preinitialise_metrics()
    install_no_store(app)
    app.include_router(_routes())
    app.include_router(routes_admin.router)
    app.include_router(routes_rate_card.router)
    dead_letters = DeadLetterStore(container.session_factory, orm.dead_letter)
    app.include_router(dead_letters_router(service=SERVICE, store_of=lambda _: dead_letters, admin=admin_principal))
    return app


def _preinitialise_metrics() -> None:
    """Business series at 0 before the first submission, decision and import."""
    types = [str(t) for t in ContributionType]
    decisions = [str(s) for s in ContributionStatus if s != ContributionStatus.PENDING]
    preinitialise(CONTRIBUTIONS_SUBMITTED, types, CHANNELS)
    preinitialise(CONTRIBUTIONS_DECIDED, types, decisions)
    preinitialise_imports(SERVICE, [routes_admin.IMPORT_KIND])


async def _filter(
    member_id: uuid.UUID | None = None,
    period_id: uuid.UUID | None = None,
    status: StatusName | None = None,
    type: TypeName | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    q: Annotated[Text | None, Query(max_length=200, description="Part of the description or member's name")] = None,
) -> ContributionFilter:
    return ContributionFilter(
        member_id=member_id, period_id=period_id, status=status, type=type, limit=limit, offset=offset, q=q or None
    )


def _after(where: ContributionFilter, cursor: str | None, kind: str) -> ContributionFilter:
    """The filter positioned after the (submitted_at, id) in a cursor of this list (422 invalid_cursor if not)."""
    return replace(where, after=decode_cursor(cursor, kind, aware_datetime, uuid.UUID)) if cursor else where


def _next_cursor(kind: str, last: Any, more: bool) -> str | None:
    """The cursor after a page's last row (an entity or the read model's mapping), None on the last page."""
    if not more:
        return None
    submitted_at, row_id = (last["submitted_at"], last["id"]) if isinstance(last, dict) else (last.submitted_at, last.id)
    return encode_cursor(kind, submitted_at, row_id)


Filter = Annotated[ContributionFilter, Depends(_filter)]
LIST_CURSOR = "contributions"
QUEUE_CURSOR = "review-queue"


def _routes() -> APIRouter:
    router = APIRouter()

    @router.post("/contributions", status_code=201, response_model=ContributionOut)
    async def submit(
        body: SubmitContributionBody,
        principal: Member,
        uow: Uow,
        container: AppContainer,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
    ):
        """Submit a contribution (or a correction) in the open period containing its date.

        With an Idempotency-Key, repeating the request returns the same contribution; the same key
        with a different body is 409 idempotency_conflict."""
        cmd = SubmitContribution(member_id=principal.member_id, idempotency_key=idempotency_key, **body.model_dump())
        return await handlers.submit_contribution(cmd, uow, **_intake_rules(container))

    @router.get("/contributions", response_model=ContributionList)
    async def list_contributions(principal: Member, uow: Uow, where: Filter, after: After = None) -> Response:
        """Own contributions for members; everyone's for stewards and admins; newest first; `next_cursor` pages on."""
        where = _after(where, after, LIST_CURSOR)
        page = await queries.list_contributions(where, _viewer(principal), uow)
        following = _next_cursor(LIST_CURSOR, page.items[-1], page.more) if page.items else None
        body = {"items": page.items, "total": page.total, "next_cursor": following}
        return _json(ContributionList.model_validate(body))

    @router.get("/contributions/{contribution_id}", response_model=ContributionOut)
    async def get_contribution(contribution_id: uuid.UUID, principal: Member, uow: Uow):
        """One contribution with revisions, thread and approvals: its owner, stewards and admins may read it."""
        return await queries.get_contribution(contribution_id, _viewer(principal), uow)

    @router.patch("/contributions/{contribution_id}", response_model=ContributionOut)
    async def edit(
        contribution_id: uuid.UUID, body: EditContributionBody, principal: Member, uow: Uow, container: AppContainer
    ):
        """The submitter edits a pending or questioned contribution; each edit is kept as a revision."""
        cmd = EditContribution(contribution_id, principal.member_id, body.changes())
        return await handlers.edit_contribution(cmd, _viewer(principal), uow, **_intake_rules(container))

    @router.post("/contributions/{contribution_id}/respond", response_model=ContributionOut)
    async def respond(
        contribution_id: uuid.UUID, body: RespondBody, principal: Member, uow: Uow, container: AppContainer
    ):
        """The submitter answers the reviewer's question (optionally editing); pending again."""
        cmd = RespondToClarification(contribution_id, principal.member_id, body.answer, body.changes())
        return await handlers.respond_to_clarification(cmd, _viewer(principal), uow, **_intake_rules(container))

    @router.post("/contributions/batch-approve", response_model=BatchApproveOut)
    async def batch_approve(body: BatchApproveBody, principal: Reviewer, container: AppContainer):
        """Approve up to 500 contributions, each on its own; says which succeeded and why others failed."""
        results = await review.batch_approve(
            body.ids, principal.member_id, container.uow, note=body.note, expected_revisions=body.expected_revisions
        )
        return {
            "results": [
                {"id": r.id, "ok": True, "status": r.status}
                if r.ok
                else {"id": r.id, "ok": False, "error": {"code": r.error.code, "message": r.error.message}}
                for r in results
            ]
        }

    @router.post("/contributions/{contribution_id}/approve", response_model=ContributionOut)
    async def approve(contribution_id: uuid.UUID, principal: Reviewer, uow: Uow, body: ApproveBody | None = None):
        """Approve another member's contribution; above the threshold two distinct approvers are needed.

        With expected_revision, an edit since the reviewer looked answers 409 stale_revision."""
        body = body or ApproveBody()
        cmd = ApproveContribution(contribution_id, principal.member_id, body.note, body.expected_revision)
        return await review.approve_contribution(cmd, uow)

    @router.post("/contributions/{contribution_id}/reject", response_model=ContributionOut)
    async def reject(contribution_id: uuid.UUID, body: RejectBody, principal: Reviewer, uow: Uow):
        """Reject another member's contribution with a reason (expected_revision as for approve)."""
        cmd = RejectContribution(contribution_id, principal.member_id, body.reason, body.expected_revision)
        return await review.reject_contribution(cmd, uow)

    @router.post("/contributions/{contribution_id}/request-clarification", response_model=ContributionOut)
    async def request_clarification(contribution_id: uuid.UUID, body: ClarifyBody, principal: Reviewer, uow: Uow):
        """Ask the submitter a question before deciding (expected_revision as for approve)."""
        cmd = RequestClarification(contribution_id, principal.member_id, body.question, body.expected_revision)
        return await review.request_clarification(cmd, uow)

    @router.get("/review-queue", response_model=ReviewQueue)
    async def review_queue(principal: Reviewer, uow: Uow, container: AppContainer, where: Filter, after: After = None):
        """Pending contributions (or status=...), oldest first, with age in hours and the overdue flag;
        `next_cursor` pages on."""
        where = _after(where, after, QUEUE_CURSOR)
        queued, total, more = await queries.review_queue(where, uow, target=container.policy.review_target)
        items = [
            QueuedContributionOut.model_validate(
                {
                    **ContributionOut.model_validate(q.contribution).model_dump(),
                    "age_hours": q.age_hours,
                    "overdue": q.overdue,
                    "member_name": q.member_name,
                }
            )
            for q in queued
        ]
        following = _next_cursor(QUEUE_CURSOR, queued[-1].contribution, more) if queued else None
        return {"items": items, "total": total, "next_cursor": following}

    @router.get("/periods/{period_id}/intake", response_model=IntakeOut)
    async def intake(period_id: uuid.UUID, principal: Reviewer, uow: Uow):
        """Intake progress of a period: participation, counts and sums, approval rate, timing, reviewers."""
        return await queries.intake_dashboard(period_id, uow)

    return router
