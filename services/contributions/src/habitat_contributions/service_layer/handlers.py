"""Write use cases of the HTTP API: submit and approve contributions."""

from __future__ import annotations

from datetime import UTC, datetime

from habitat_contributions.domain.commands import ApproveContribution, SubmitContribution
from habitat_contributions.domain.errors import ContributionNotFound, PeriodNotOpen
from habitat_contributions.domain.intake import new_contribution
from habitat_contributions.domain.model import Contribution
from habitat_contributions.domain.valuation import RateCard
from habitat_contributions.service_layer.ports import UnitOfWork


def utcnow() -> datetime:
    return datetime.now(UTC)


async def submit_contribution(
    cmd: SubmitContribution, uow: UnitOfWork, *, card: RateCard, now: datetime | None = None
) -> Contribution:
    """Record a pending contribution in the open period containing its date and announce it."""
    async with uow:
        period = await uow.periods.open_period_containing(cmd.contributed_on)
        if period is None:
            raise PeriodNotOpen(
                f"No open period contains {cmd.contributed_on.isoformat()}; "
                "contributions can only be recorded in an open period."
            )
        contribution = new_contribution(cmd, period_id=period.period_id, card=card, now=now or utcnow())
        uow.contributions.add(contribution)
        uow.events.append(contribution.submitted())
        await uow.commit()
        return contribution


async def approve_contribution(
    cmd: ApproveContribution, uow: UnitOfWork, *, now: datetime | None = None
) -> Contribution:
    """Approve a pending contribution (row locked, so concurrent approvals yield exactly one event)."""
    async with uow:
        contribution = await uow.contributions.get_for_update(cmd.contribution_id)
        if contribution is None:
            raise ContributionNotFound("No such contribution.")
        uow.events.append(contribution.approve(cmd.reviewer_id, now or utcnow(), cmd.note))
        await uow.commit()
        return contribution
