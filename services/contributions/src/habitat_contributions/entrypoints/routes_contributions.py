"""A member's contributions: submit, list, read, edit, and answer a reviewer's question."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import Response

from habitat_common.api.contributions import ContributionDetail, ContributionList
from habitat_common.auth import Principal
from habitat_common.web.answers import json_answer
from habitat_common.web.paging import After
from habitat_contributions import bootstrap
from habitat_contributions.domain.commands import EditContribution, RespondToClarification, SubmitContribution
from habitat_contributions.domain.model import Viewer
from habitat_contributions.entrypoints.dependencies import AppContainer, Member, Uow
from habitat_contributions.entrypoints.listing import Filter, next_cursor, positioned_after
from habitat_contributions.entrypoints.schemas import (
    EditContributionBody,
    RespondBody,
    SubmitContributionBody,
)
from habitat_contributions.service_layer import handlers, queries

router = APIRouter()
LIST_CURSOR = "contributions"


def _intake_rules(container: bootstrap.Container) -> dict:
    """What submissions and edits are checked against: rate card, review policy, the co-op's today."""
    return {"card": container.rate_card, "policy": container.policy, "today": container.settings.coop.today()}


def _viewer(principal: Principal) -> Viewer:
    return Viewer(member_id=principal.member_id, is_reviewer=principal.has_role("steward"))


@router.post("/contributions", status_code=201, response_model=ContributionDetail)
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
async def list_contributions(
    principal: Member, container: AppContainer, where: Filter, after: After = None
) -> Response:
    """Own contributions for members; everyone's for stewards and admins; newest first; `next_cursor` pages on."""
    where = positioned_after(where, after, LIST_CURSOR)
    page = await queries.list_contributions(where, _viewer(principal), container.contribution_views)
    following = next_cursor(LIST_CURSOR, page.items[-1], page.more) if page.items else None
    body = {"items": page.items, "total": page.total, "next_cursor": following}
    return json_answer(ContributionList.model_validate(body))


@router.get("/contributions/{contribution_id}", response_model=ContributionDetail)
async def get_contribution(contribution_id: uuid.UUID, principal: Member, container: AppContainer) -> Response:
    """One contribution with revisions, thread and approvals: its owner, stewards and admins may read it."""
    found = await queries.get_contribution(contribution_id, _viewer(principal), container.contribution_views)
    return json_answer(ContributionDetail.model_validate(found))


@router.patch("/contributions/{contribution_id}", response_model=ContributionDetail)
async def edit(
    contribution_id: uuid.UUID, body: EditContributionBody, principal: Member, uow: Uow, container: AppContainer
):
    """The submitter edits a pending or questioned contribution; each edit is kept as a revision."""
    cmd = EditContribution(contribution_id, principal.member_id, body.changes())
    return await handlers.edit_contribution(cmd, _viewer(principal), uow, **_intake_rules(container))


@router.post("/contributions/{contribution_id}/respond", response_model=ContributionDetail)
async def respond(contribution_id: uuid.UUID, body: RespondBody, principal: Member, uow: Uow, container: AppContainer):
    """The submitter answers the reviewer's question (optionally editing); pending again."""
    cmd = RespondToClarification(contribution_id, principal.member_id, body.answer, body.changes())
    return await handlers.respond_to_clarification(cmd, _viewer(principal), uow, **_intake_rules(container))
