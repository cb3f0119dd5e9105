"""Who a reminder run mails: pure decisions over the replicas and preferences."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime

from habitat_notifications.domain.kinds import Kind
from habitat_notifications.domain.links import Links
from habitat_notifications.domain.mailing import MailPlan
from habitat_notifications.domain.preferences import Preferences, defaults
from habitat_notifications.domain.replicas import MemberReplica
from habitat_notifications.domain.schedule import Run

REVIEWER_ROLES = ("steward", "admin")


def _allows(member: MemberReplica, kind: Kind, preferences: Mapping[uuid.UUID, Preferences]) -> bool:
    chosen = preferences.get(member.member_id, defaults(member.member_id))
    return member.is_active and bool(member.email) and chosen.allows(kind.category)


def plan_submission_reminders(
    run: Run,
    members: Iterable[MemberReplica],
    submitters: set[uuid.UUID],
    preferences: Mapping[uuid.UUID, Preferences],
    links: Links,
) -> list[MailPlan]:
    """Weekly and final-week reminders go to the active members with no contribution in the open period yet
    (who allow reminders)."""
    period = run.period
    assert period is not None, "submission reminders are about an open period"
    facts = {"period_name": period.name, "ends_on": period.ends_on, "link": links.new_contribution()}
    return [
        MailPlan(run.kind, m.member_id, m.email or "", m.display_name or m.email or "", run.id, facts)
        for m in members
        if m.member_id not in submitters and _allows(m, run.kind, preferences)
    ]


def plan_steward_digest(
    run: Run,
    members: Iterable[MemberReplica],
    overdue: int,
    oldest_submitted_at: datetime | None,
    now: datetime,
    preferences: Mapping[uuid.UUID, Preferences],
    links: Links,
) -> list[MailPlan]:
    """When contributions wait past the review target, the active stewards and admins (who allow reminders)
    hear how many and how old the oldest is; with none overdue, nobody is mailed."""
    if overdue == 0 or oldest_submitted_at is None:
        return []
    oldest_hours = int((now - oldest_submitted_at).total_seconds() // 3600)
    facts = {"overdue": overdue, "oldest_hours": oldest_hours, "link": links.review_queue()}
    return [
        MailPlan(run.kind, m.member_id, m.email or "", m.display_name or m.email or "", run.id, facts)
        for m in members
        if m.role in REVIEWER_ROLES and _allows(m, run.kind, preferences)
    ]
