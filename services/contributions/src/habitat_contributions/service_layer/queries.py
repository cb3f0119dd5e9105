"""Read use cases: one contribution, a list, the review queue and the period intake dashboard."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from habitat_contributions.domain.errors import ContributionNotFound, MemberNotFound
from habitat_contributions.domain.model import Viewer
from habitat_contributions.domain.review_policy import ReviewPolicy, hours_waiting, overdue_for_review
from habitat_contributions.domain.statuses import ContributionStatus, ContributionType, patronage_standing
from habitat_contributions.domain.valuation import ZERO
from habitat_contributions.service_layer.handlers import utcnow
from habitat_contributions.service_layer.ports import (
    ContributionFilter,
    ContributionViews,
    IntakeFigures,
    Page,
    PatronageFigures,
)

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class QueuedContribution:
    contribution: dict[str, Any]  # the fields of the API's contribution
    age_hours: float
    overdue: bool
    member_name: str | None = None


async def get_contribution(contribution_id: uuid.UUID, viewer: Viewer, views: ContributionViews) -> dict[str, Any]:
    """One contribution as the API shows it; someone else's is reported as not found to a plain member."""
    contribution = await views.contribution(contribution_id)
    if contribution is None or not viewer.may_see_member(contribution["member_id"]):
        raise ContributionNotFound("No such contribution.")
    return contribution


async def list_contributions(where: ContributionFilter, viewer: Viewer, views: ContributionViews) -> Page:
    """Contributions matching the filter, newest first (then by id), after where.after if given; a plain member
    only ever gets their own. The page says whether more follow it."""
    if not viewer.is_reviewer:
        if where.member_id not in (None, viewer.member_id):
            return Page([], 0)
        where = replace(where, member_id=viewer.member_id)
    return _one_extra(await views.page(_one_more(where)), where.limit)


def _one_more(where: ContributionFilter) -> ContributionFilter:
    return replace(where, limit=where.limit + 1)


def _one_extra(page: Page, limit: int) -> Page:
    """The page asked for with one row more, cut back to limit, saying whether that row was there."""
    return Page(page.items[:limit], page.total, more=len(page.items) > limit)


async def review_queue(
    where: ContributionFilter,
    views: ContributionViews,
    *,
    target: timedelta = ReviewPolicy.review_target,
    now: datetime | None = None,
) -> tuple[list[QueuedContribution], int, bool]:
    """Pending contributions (or another status asked for), oldest first (then by id), after where.after if
    given, with age, the review-target flag and the contributor's name; the total, and whether more follow."""
    now = now or utcnow()
    where = replace(where, status=where.status or ContributionStatus.PENDING)
    page = _one_extra(await views.page(_one_more(where), newest_first=False, named=True), where.limit)
    queued = []
    for item in page.items:
        contribution = dict(item)
        name = contribution.pop("member_name")
        submitted_at = contribution["submitted_at"]
        age_hours = hours_waiting(submitted_at, now)
        overdue = overdue_for_review(contribution["status"], submitted_at, now, target)
        queued.append(QueuedContribution(contribution, age_hours, overdue, name))
    return queued, page.total, page.more


async def intake_dashboard(period_id: uuid.UUID, views: ContributionViews) -> dict:
    """Participation, counts and sums by type and status, approval rate, time to decision, reviewers,
    and the active members who have not submitted, for one period."""
    return summarize(period_id, await views.intake(period_id))


def summarize(period_id: uuid.UUID, figures: IntakeFigures) -> dict:
    """The dashboard from the database's aggregates (percentages to one decimal, as text)."""
    by_type = {str(t): {"count": 0, "value": ZERO} for t in ContributionType}
    by_status = {str(s): {"count": 0, "value": ZERO} for s in ContributionStatus}
    for kind, status, count, value in figures.by_type_status:
        for bucket in (by_type[kind], by_status[status]):
            bucket["count"] += count
            bucket["value"] += value
    decided = by_status["approved"]["count"] + by_status["rejected"]["count"]
    return {
        "period_id": period_id,
        "active_members": figures.active_members,
        "members_with_submissions": figures.members_with_submissions,
        "participation_percent": _percent(figures.members_with_submissions, figures.active_members) or "0.0",
        "by_type": by_type,
        "by_status": by_status,
        "pending_count": by_status["pending"]["count"],
        "approval_rate_percent": _percent(by_status["approved"]["count"], decided),
        "mean_hours_to_decision": _hours(figures.mean_hours_to_decision),
        "p95_hours_to_decision": _hours(figures.p95_hours_to_decision),
        "per_reviewer": figures.per_reviewer,
        "not_submitted": figures.not_submitted,
    }


async def member_patronage(member_id: uuid.UUID, day: date, viewer: Viewer, views: ContributionViews) -> dict:
    """The member's patronage in the period containing day (between periods, the latest one before it): approved
    value by type (what the allocation weighs), and what still awaits a decision; someone else's is reported as
    not found to a plain member."""
    if not viewer.may_see_member(member_id):
        raise MemberNotFound("No such member (or not you).")
    return patronage_summary(member_id, day, await views.patronage(member_id, day))


def patronage_summary(member_id: uuid.UUID, day: date, figures: PatronageFigures) -> dict:
    """Approved (patronage) and awaiting review (pending or asked to clarify), each by type, zeros included;
    rejected contributions count in neither."""
    standings = {standing: {str(t): {"count": 0, "value": ZERO} for t in ContributionType}
                 for standing in ("approved", "awaiting_review")}  # fmt: skip
    for kind, status, count, value in figures.by_type_status:
        if (standing := patronage_standing(status)) is not None:
            standings[standing][kind]["count"] += count
            standings[standing][kind]["value"] += value
    period = None if figures.period is None else vars(figures.period)
    return {"member_id": member_id, "on": day, "period": period, **standings}


def _percent(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP))


def _hours(hours: float | None) -> float | None:
    return None if hours is None else round(hours, 2)
