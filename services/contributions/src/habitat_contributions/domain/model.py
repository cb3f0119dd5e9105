"""The contribution aggregate: what a member put in, its value, and the review decision."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from habitat_contributions.domain import events
from habitat_contributions.domain.errors import AlreadyDecided, SelfReview
from habitat_contributions.domain.valuation import Valuation

REVIEW_TARGET = timedelta(hours=48)


class ContributionType(StrEnum):
    LABOR = "labor"
    CAPITAL = "capital"
    PROPERTY = "property"


class ContributionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CLARIFICATION_REQUESTED = "clarification_requested"


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a member sees their own contributions, a reviewer (steward/admin) sees all."""

    member_id: uuid.UUID
    is_reviewer: bool

    def may_see(self, contribution: Contribution) -> bool:
        return self.is_reviewer or contribution.member_id == self.member_id


class Contribution:
    """One contribution; after a decision it never changes (corrections are new contributions)."""

    def __init__(
        self,
        *,
        id: uuid.UUID,
        member_id: uuid.UUID,
        period_id: uuid.UUID,
        type: ContributionType,
        contributed_on: date,
        description: str,
        valuation: Valuation,
        submitted_at: datetime,
        hours: Decimal | None = None,
        rate: Decimal | None = None,
        amount: Decimal | None = None,
        fair_market_value: Decimal | None = None,
        adjusted_basis: Decimal | None = None,
    ) -> None:
        self.id = id
        self.member_id = member_id
        self.period_id = period_id
        self.type = ContributionType(type)
        self.contributed_on = contributed_on
        self.description = description
        self.hours = hours
        self.rate = rate
        self.amount = amount
        self.fair_market_value = fair_market_value
        self.adjusted_basis = adjusted_basis
        self.value = valuation.value
        self.book_amount = valuation.book_amount
        self.tax_amount = valuation.tax_amount
        self.status = ContributionStatus.PENDING
        self.submitted_at = submitted_at
        self.decided_at: datetime | None = None
        self.decided_by: uuid.UUID | None = None
        self.decision_note: str | None = None

    def __repr__(self) -> str:
        return f"<Contribution {self.id} {self.type} {self.status} {self.value}>"

    def _facts(self) -> dict:
        """What every event about this contribution says."""
        return {
            "contribution_id": self.id,
            "member_id": self.member_id,
            "period_id": self.period_id,
            "type": str(self.type),
            "contributed_on": self.contributed_on,
            "value": self.value,
        }

    def submitted(self) -> events.ContributionSubmitted:
        return events.ContributionSubmitted(**self._facts())

    def approve(self, reviewer_id: uuid.UUID, at: datetime, note: str | None = None) -> events.ContributionApproved:
        """Approve once, never by the submitter; returns the event that makes it count."""
        self._check_reviewable_by(reviewer_id)
        self.status = ContributionStatus.APPROVED
        self.decided_at = at
        self.decided_by = reviewer_id
        self.decision_note = (note or "").strip() or None
        return events.ContributionApproved(
            **self._facts(),
            book_amount=self.book_amount,
            tax_amount=self.tax_amount,
            approved_by=reviewer_id,
            approved_at=at,
        )

    def _check_reviewable_by(self, reviewer_id: uuid.UUID) -> None:
        if reviewer_id == self.member_id:
            raise SelfReview("Nobody may review their own contribution; another steward or an admin must.")
        if self.status != ContributionStatus.PENDING:
            raise AlreadyDecided(f"This contribution is already {self.status}; it cannot be decided again.")

    def age(self, now: datetime) -> timedelta:
        return now - self.submitted_at

    def is_overdue(self, now: datetime) -> bool:
        return self.status == ContributionStatus.PENDING and self.age(now) > REVIEW_TARGET
