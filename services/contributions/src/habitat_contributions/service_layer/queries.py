"""Read use cases: one contribution, a list, and the review queue."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from habitat_contributions.domain.errors import ContributionNotFound
from habitat_contributions.domain.model import Contribution, ContributionStatus, Viewer
from habitat_contributions.service_layer.handlers import utcnow
from habitat_contributions.service_layer.ports import ContributionFilter, UnitOfWork


@dataclass(frozen=True)
class QueuedContribution:
    contribution: Contribution
    age_hours: float
    overdue: bool


async def get_contribution(contribution_id: uuid.UUID, viewer: Viewer, uow: UnitOfWork) -> Contribution:
    """One contribution; someone else's is reported as not found to a plain member."""
    async with uow:
        contribution = await uow.contributions.get(contribution_id)
    if contribution is None or not viewer.may_see(contribution):
        raise ContributionNotFound("No such contribution.")
    return contribution


async def list_contributions(where: ContributionFilter, viewer: Viewer, uow: UnitOfWork) -> list[Contribution]:
    """Contributions matching the filter; a plain member only ever gets their own."""
    if not viewer.is_reviewer:
        if where.member_id not in (None, viewer.member_id):
            return []
        where = replace(where, member_id=viewer.member_id)
    async with uow:
        return await uow.contributions.list(where)


async def review_queue(uow: UnitOfWork, *, limit: int = 500, now: datetime | None = None) -> list[QueuedContribution]:
    """Pending contributions, oldest first, with their age and whether the 48 h target is missed."""
    now = now or utcnow()
    async with uow:
        pending = await uow.contributions.pending_oldest_first(limit)
    return [
        QueuedContribution(c, round(c.age(now).total_seconds() / 3600, 2), c.is_overdue(now))
        for c in pending
        if c.status == ContributionStatus.PENDING
    ]
