"""/api/v1/contributions and /api/v1/review-queue: submit, edit, list, read, review."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response
from habitat_common.web.inputs import Limit, Offset, Text
from habitat_common.web.paging import After

from habitat_gateway.error_responses import EDGE, SIGNED_IN, UPSTREAM, errors
from habitat_gateway.routes.deps import MemberCaller, ServicesDep, StewardCaller
from habitat_gateway.schemas_contributions import (
    BatchApproveRequest,
    BatchApproveResult,
    ClarificationRequest,
    ContributionDetail,
    ContributionList,
    EditContributionRequest,
    RejectRequest,
    RespondRequest,
    ReviewQueue,
    ReviewRequest,
    SubmitContributionRequest,
)

Search = Annotated[Text | None, Query(max_length=200, description="Part of the description or member's name")]
router = APIRouter(tags=["contributions"], responses=errors(*SIGNED_IN, *UPSTREAM))
REVIEW = errors(*EDGE, 422, notes={
    403: "self_review: nobody reviews their own contribution; forbidden: stewards and admins only",
    404: "not_found: no such contribution",
    409: "stale_revision: the member edited the contribution after the revision named in expected_revision"
         " (nothing changed; read it again and decide); already_decided",
})
EDIT = errors(*EDGE, 422, notes={
    403: "not_submitter: only its submitter edits or answers it",
    404: "not_found: no such contribution (or not yours)",
    409: "already_decided: only pending or clarification-requested contributions change; period_not_open",
})
Type = Literal["labor", "capital", "property"]
Status = Literal["pending", "approved", "rejected", "clarification_requested"]


def _json(body) -> dict:
    return body.model_dump(mode="json", exclude_none=True)


@router.post(
    "/contributions", response_model=ContributionDetail, status_code=201,
    responses=errors(*EDGE, 404, notes={
        403: "member_not_active: your membership is not active; forbidden",
        409: "period_not_open: no open period holds the date; idempotency_conflict: the key was used with another"
             " body; already_decided",
        422: "invalid_contribution, invalid_description and other rule codes; invalid_request",
    }),
)
async def submit_contribution(
    body: SubmitContributionRequest,
    caller: MemberCaller,
    services: ServicesDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """Submit labor, capital or property for review; its date must fall in an open period.

    Send an `Idempotency-Key` header to make retries safe: the same key and body create one
    contribution; the same key with another body answers 409.
    """
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    return await services.contributions.forward(
        "POST", "/contributions", token=caller.token, json=_json(body), headers=headers
    )


@router.get("/contributions", response_model=ContributionList, responses=errors(422))
async def list_contributions(
    caller: MemberCaller,
    services: ServicesDep,
    status: Status | None = None,
    member_id: uuid.UUID | None = None,
    period_id: uuid.UUID | None = None,
    type: Type | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    q: Search = None,
    after: After = None,
) -> Response:
    """Your contributions; stewards and admins see everyone's. Newest first, filtered, searched, paginated;
    follow `next_cursor` as `after` for the next page."""
    params = {"status": status, "member_id": member_id, "period_id": period_id, "type": type, "q": q, "after": after}
    params = {k: str(v) for k, v in params.items() if v} | {"limit": limit, "offset": offset}
    return await services.contributions.forward("GET", "/contributions", token=caller.token, params=params)


@router.post("/contributions/batch-approve", response_model=BatchApproveResult, responses=errors(*EDGE, 422))
async def batch_approve(body: BatchApproveRequest, caller: StewardCaller, services: ServicesDep) -> Response:
    """Approve many; each is checked on its own and the result says which failed and why (an item edited
    since the revision named in `expected_revisions` fails with stale_revision)."""
    return await services.contributions.forward(
        "POST", "/contributions/batch-approve", token=caller.token, json=_json(body)
    )


@router.get("/contributions/{contribution_id}", response_model=ContributionDetail, responses=errors(404, 422))
async def read_contribution(contribution_id: uuid.UUID, caller: MemberCaller, services: ServicesDep) -> Response:
    """One contribution with its revisions and discussion: your own, or any for stewards and admins."""
    return await services.contributions.forward("GET", f"/contributions/{contribution_id}", token=caller.token)


@router.patch("/contributions/{contribution_id}", response_model=ContributionDetail, responses=EDIT)
async def edit_contribution(
    contribution_id: uuid.UUID, body: EditContributionRequest, caller: MemberCaller, services: ServicesDep
) -> Response:
    """Edit your own contribution while pending or in clarification; every revision is kept."""
    return await services.contributions.forward(
        "PATCH", f"/contributions/{contribution_id}", token=caller.token, json=_json(body)
    )


async def _review(services, caller, contribution_id: uuid.UUID, action: str, body) -> Response:
    return await services.contributions.forward(
        "POST", f"/contributions/{contribution_id}/{action}", token=caller.token, json=_json(body)
    )


@router.post("/contributions/{contribution_id}/approve", response_model=ContributionDetail, responses=REVIEW)
async def approve_contribution(
    contribution_id: uuid.UUID, body: ReviewRequest, caller: StewardCaller, services: ServicesDep
) -> Response:
    """Approve someone else's contribution; above the threshold it needs a second approver to count.

    Send `expected_revision` (the `revision` you read) so an edit made since is refused with 409 stale_revision.
    """
    return await _review(services, caller, contribution_id, "approve", body)


@router.post("/contributions/{contribution_id}/reject", response_model=ContributionDetail, responses=REVIEW)
async def reject_contribution(
    contribution_id: uuid.UUID, body: RejectRequest, caller: StewardCaller, services: ServicesDep
) -> Response:
    """Reject someone else's contribution; the reason is required and shown to the member (`expected_revision`
    as for approve)."""
    return await _review(services, caller, contribution_id, "reject", body)


@router.post("/contributions/{contribution_id}/request-clarification", response_model=ContributionDetail, responses=REVIEW)
async def request_clarification(
    contribution_id: uuid.UUID, body: ClarificationRequest, caller: StewardCaller, services: ServicesDep
) -> Response:
    """Ask the member a question before deciding (`expected_revision` as for approve)."""
    return await _review(services, caller, contribution_id, "request-clarification", body)


@router.post("/contributions/{contribution_id}/respond", response_model=ContributionDetail, responses=EDIT)
async def respond(
    contribution_id: uuid.UUID, body: RespondRequest, caller: MemberCaller, services: ServicesDep
) -> Response:
    """Answer a reviewer's question (and optionally edit); the contribution is pending again."""
    return await _review(services, caller, contribution_id, "respond", body)


@router.get("/review-queue", response_model=ReviewQueue, responses=errors(422))
async def review_queue(
    caller: StewardCaller,
    services: ServicesDep,
    status: Status | None = None,
    member_id: uuid.UUID | None = None,
    period_id: uuid.UUID | None = None,
    type: Type | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    q: Search = None,
    after: After = None,
) -> Response:
    """Contributions awaiting review, oldest first, with age and the 48-hour flag; searched, and paged on by
    following `next_cursor` as `after`."""
    params = {"status": status, "member_id": member_id, "period_id": period_id, "type": type, "q": q, "after": after}
    params = {k: str(v) for k, v in params.items() if v} | {"limit": limit, "offset": offset}
    return await services.contributions.forward("GET", "/review-queue", token=caller.token, params=params)
