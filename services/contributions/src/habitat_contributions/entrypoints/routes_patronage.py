"""A member's patronage in the period containing a day: what the dashboard's picture is drawn from."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from habitat_common.api.contributions import MemberPatronage
from habitat_common.web.answers import json_answer
from habitat_common.web.inputs import IsoDate
from habitat_contributions.domain.model import Viewer
from habitat_contributions.entrypoints.dependencies import AppContainer, Member
from habitat_contributions.service_layer import queries

router = APIRouter()


@router.get("/members/{member_id}/patronage", response_model=MemberPatronage)
async def member_patronage(
    member_id: uuid.UUID,
    principal: Member,
    container: AppContainer,
    on: Annotated[IsoDate | None, Query(description="A day of the period; default the co-op's today")] = None,
) -> Response:
    """The member's approved value by type in the period containing `on` (between periods, the latest that
    ended before it) — their patronage so far — and what awaits review; the member themself, stewards and admins
    (anyone else: 404)."""
    viewer = Viewer(principal.member_id, principal.has_role("steward"))
    day = on or container.settings.coop.today()
    patronage = await queries.member_patronage(member_id, day, viewer, container.contribution_views)
    return json_answer(MemberPatronage.model_validate(patronage))
