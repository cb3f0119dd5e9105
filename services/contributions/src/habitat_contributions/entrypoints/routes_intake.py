"""A period's intake dashboard for reviewers."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from habitat_common.api.contributions import IntakeDashboard
from habitat_contributions.entrypoints.dependencies import Reviewer, Uow
from habitat_contributions.service_layer import queries

router = APIRouter()


@router.get("/periods/{period_id}/intake", response_model=IntakeDashboard)
async def intake(period_id: uuid.UUID, principal: Reviewer, uow: Uow):
    """Intake progress of a period: participation, counts and sums, approval rate, timing, reviewers."""
    return await queries.intake_dashboard(period_id, uow)
