"""What a contribution is (its type) and where it stands in review (its status)."""

from __future__ import annotations

from enum import StrEnum


class ContributionType(StrEnum):
    LABOR = "labor"
    CAPITAL = "capital"
    PROPERTY = "property"


class ContributionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CLARIFICATION_REQUESTED = "clarification_requested"


DECIDED = (ContributionStatus.APPROVED, ContributionStatus.REJECTED)
EDITABLE = (ContributionStatus.PENDING, ContributionStatus.CLARIFICATION_REQUESTED)


def patronage_standing(status: ContributionStatus | str) -> str | None:
    """Where a contribution of this status stands in its member's patronage: "approved" (it counts),
    "awaiting_review" (it may yet count: pending or asked to clarify), None (rejected: it never will)."""
    status = ContributionStatus(status)
    if status == ContributionStatus.APPROVED:
        return "approved"
    return "awaiting_review" if status in EDITABLE else None
