"""Reviewing contributions: approve (one or a batch), reject, ask for clarification, and the review queue."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from habitat_common.api.contributions import (
    BatchApproveRequest,
    BatchApproveResult,
    ContributionDetail,
    QueuedContribution,
    ReviewQueue,
    ReviewRequest,
)
from habitat_common.web.paging import After
from habitat_contributions.domain.commands import ApproveContribution, RejectContribution, RequestClarification
from habitat_contributions.entrypoints.dependencies import AppContainer, Reviewer, Uow
from habitat_contributions.entrypoints.listing import Filter, next_cursor, positioned_after
from habitat_contributions.entrypoints.schemas import ClarifyBody, RejectBody
from habitat_contributions.service_layer import queries, review

router = APIRouter()
QUEUE_CURSOR = "review-queue"


@router.post("/contributions/batch-approve", response_model=BatchApproveResult)
async def batch_approve(body: BatchApproveRequest, principal: Reviewer, container: AppContainer):
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


@router.post("/contributions/{contribution_id}/approve", response_model=ContributionDetail)
async def approve(contribution_id: uuid.UUID, principal: Reviewer, uow: Uow, body: ReviewRequest | None = None):
    """Approve another member's contribution; above the threshold two distinct approvers are needed.

    With expected_revision, an edit since the reviewer looked answers 409 stale_revision."""
    body = body or ReviewRequest()
    cmd = ApproveContribution(contribution_id, principal.member_id, body.note, body.expected_revision)
    return await review.approve_contribution(cmd, uow)


@router.post("/contributions/{contribution_id}/reject", response_model=ContributionDetail)
async def reject(contribution_id: uuid.UUID, body: RejectBody, principal: Reviewer, uow: Uow):
    """Reject another member's contribution with a reason (expected_revision as for approve)."""
    cmd = RejectContribution(contribution_id, principal.member_id, body.reason, body.expected_revision)
    return await review.reject_contribution(cmd, uow)


@router.post("/contributions/{contribution_id}/request-clarification", response_model=ContributionDetail)
async def request_clarification(contribution_id: uuid.UUID, body: ClarifyBody, principal: Reviewer, uow: Uow):
    """Ask the submitter a question before deciding (expected_revision as for approve)."""
    cmd = RequestClarification(contribution_id, principal.member_id, body.question, body.expected_revision)
    return await review.request_clarification(cmd, uow)


@router.get("/review-queue", response_model=ReviewQueue)
async def review_queue(principal: Reviewer, container: AppContainer, where: Filter, after: After = None):
    """Pending contributions (or status=...), oldest first, with age in hours and the overdue flag;
    `next_cursor` pages on."""
    where = positioned_after(where, after, QUEUE_CURSOR)
    views = container.contribution_views
    queued, total, more = await queries.review_queue(where, views, target=container.policy.review_target)
    items = [
        QueuedContribution.model_validate(
            {
                **ContributionDetail.model_validate(q.contribution).model_dump(),
                "age_hours": q.age_hours,
                "overdue": q.overdue,
                "member_name": q.member_name,
            }
        )
        for q in queued
    ]
    following = next_cursor(QUEUE_CURSOR, queued[-1].contribution, more) if queued else None
    return {"items": items, "total": total, "next_cursor": following}
