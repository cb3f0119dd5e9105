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
