"""The co-op's review rules: how many approvers a value needs, who may not decide, and how long a
contribution may wait for review."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from habitat_contributions.domain.errors import SelfReview
from habitat_contributions.domain.statuses import DECIDED


@dataclass(frozen=True)
class ReviewPolicy:
    """The co-op's review rules: values at or above the threshold (absolute) need two distinct approvers."""

    dual_approval_threshold: Decimal = Decimal("5000.00")
    review_target: timedelta = timedelta(hours=48)

    def approvals_required(self, value: Decimal) -> int:
        return 2 if abs(value) >= self.dual_approval_threshold else 1


DEFAULT_POLICY = ReviewPolicy()


def time_waiting(submitted_at: datetime, now: datetime) -> timedelta:
    """How long a contribution submitted at submitted_at has waited by now."""
    return now - submitted_at


def hours_waiting(submitted_at: datetime, now: datetime) -> float:
    """The time waiting in hours, to two decimals (the review queue's age)."""
    return round(time_waiting(submitted_at, now).total_seconds() / 3600, 2)


def overdue_for_review(status: str, submitted_at: datetime, now: datetime, target: timedelta) -> bool:
    """Whether a contribution of that status is still undecided and has waited longer than the review target."""
    return status not in DECIDED and time_waiting(submitted_at, now) > target


def self_decision(member_id: uuid.UUID, reviewer_id: uuid.UUID | None) -> SelfReview | None:
    """The refusal when a reviewer would decide their own contribution (a review or an imported decision)."""
    if reviewer_id == member_id:
        return SelfReview("Nobody may review their own contribution; another steward or an admin must.")
    return None
