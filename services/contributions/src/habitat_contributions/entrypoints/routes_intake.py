"""A period's intake dashboard for reviewers."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from habitat_common.api.contributions import IntakeDashboard
from habitat_common.web.answers import json_answer
from habitat_contributions.entrypoints.dependencies import AppContainer, Reviewer
from habitat_contributions.service_layer import queries

router = APIRouter()


@router.get("/periods/{period_id}/intake", response_model=IntakeDashboard)
async def intake(period_id: uuid.UUID, principal: Reviewer, container: AppContainer) -> Response:
    """Intake progress of a period: participation, counts and sums, approval rate, timing, reviewers, and every
    active member who has not submitted yet."""
    dashboard = await queries.intake_dashboard(period_id, container.contribution_views)
    return json_answer(IntakeDashboard.model_validate(dashboard))
