"""The contribution aggregate: what a member put in, its value, its revisions, thread and review decision."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from habitat_contributions.domain import events
from habitat_contributions.domain.errors import AlreadyDecided, StaleRevision
from habitat_contributions.domain.review_policy import ReviewPolicy, overdue_for_review, self_decision, time_waiting
from habitat_contributions.domain.statuses import DECIDED, ContributionStatus, ContributionType
from habitat_contributions.domain.valuation import Valuation

SNAPSHOT_FIELDS = ("contributed_on", "description", "hours", "rate", "amount", "fair_market_value", "adjusted_basis")


@dataclass(eq=False)
class Approval:
    """One reviewer's approval. An imported one (a historical record, written by the admin imported_by) keeps
    the approver it names but is not that reviewer's own decision: it never counts in the review rules."""

    reviewer_id: uuid.UUID
    at: datetime
    note: str | None = None
    imported: bool = False
    imported_by: uuid.UUID | None = None


@dataclass(eq=False)
class Revision:
    """One version of the submitted fields; number 1 is the original submission."""

    number: int
    fields: dict
    edited_at: datetime
    edited_by: uuid.UUID


@dataclass(eq=False)
class ThreadEntry:
    """A question (reviewer), an answer (submitter) or a note (decision note or rejection reason)."""

    kind: str
    by: uuid.UUID
    at: datetime
    text: str


def current_revision(numbers: list[int]) -> int:
    """The current revision of a contribution whose revisions are numbered so, in order (none: 1)."""
    return numbers[-1] if numbers else 1


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a member sees their own contributions, a reviewer (steward/admin) sees all."""

    member_id: uuid.UUID
    is_reviewer: bool

    def may_see(self, contribution: Contribution) -> bool:
        return self.may_see_member(contribution.member_id)

    def may_see_member(self, member_id: uuid.UUID) -> bool:
        """Whether this viewer may see the contributions of that member."""
        return self.is_reviewer or member_id == self.member_id


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
        approvals_required: int = 1,
        corrects_contribution_id: uuid.UUID | None = None,
        **amounts: Decimal | None,
    ) -> None:
        self.id = id
        self.member_id = member_id
        self.period_id = period_id
        self.type = ContributionType(type)
        self.contributed_on = contributed_on
        self.description = description
        self.hours = self.rate = self.amount = self.fair_market_value = self.adjusted_basis = None
        self._set_value(valuation, amounts, approvals_required)
        self.status = ContributionStatus.PENDING
        self.submitted_at = submitted_at
        self.decided_at: datetime | None = None
        self.decided_by: uuid.UUID | None = None
        self.decision_note: str | None = None
        self.corrects_contribution_id = corrects_contribution_id
        self.approvals: list[Approval] = []
        self.thread: list[ThreadEntry] = []
        self.revisions: list[Revision] = [Revision(1, self.snapshot(), submitted_at, member_id)]

    def __repr__(self) -> str:
        return f"<Contribution {self.id} {self.type} {self.status} {self.value}>"

    def _set_value(self, valuation: Valuation, amounts: dict, approvals_required: int) -> None:
        for name, amount in amounts.items():
            setattr(self, name, amount)
        self.value = valuation.value
        self.book_amount = valuation.book_amount
        self.tax_amount = valuation.tax_amount
        self.approvals_required = approvals_required

    def snapshot(self) -> dict:
        """The submitted fields as JSON-ready text (money with two places)."""
        out = {}
        for name in SNAPSHOT_FIELDS:
            fact = getattr(self, name)
            out[name] = None if fact is None else (f"{fact:.2f}" if isinstance(fact, Decimal) else str(fact))
        return out

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

    def submitted(self) -> list:
        """Events announcing a new contribution (plus the correction it makes, if any)."""
        announced: list = [events.ContributionSubmitted(**self._facts())]
        if self.corrects_contribution_id is not None:
            announced.append(
                events.ContributionCorrected(
                    contribution_id=self.id,
                    corrects_contribution_id=self.corrects_contribution_id,
                    member_id=self.member_id,
                    period_id=self.period_id,
                    value=self.value,
                )
            )
        return announced

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED

    @property
    def revision(self) -> int:
        """The current revision's number (an imported decided contribution keeps no revision: it is 1)."""
        return current_revision([r.number for r in self.revisions])

    def reviewers_approving(self) -> set[uuid.UUID]:
        """The distinct reviewers whose own approval stands (imported approvals are nobody's decision here)."""
        return {a.reviewer_id for a in self.approvals if not a.imported}

    def check_revision(self, expected: int | None) -> None:
        """Raise StaleRevision when the reviewer saw another revision than the current one (None: unchecked)."""
        if expected is not None and expected != self.revision:
            raise StaleRevision(
                f"The member changed this contribution after you opened it: you reviewed revision {expected}, "
                f"it is now revision {self.revision}. Read the current version and decide again."
            )

    def revise(
        self, editor_id: uuid.UUID, at: datetime, *, changes: dict, valuation: Valuation, approvals_required: int
    ) -> None:
        """Apply re-validated changes and keep the new version as a revision; earlier approvals no longer hold."""
        self.check_open()
        for name in ("contributed_on", "description", "period_id"):
            if name in changes:
                setattr(self, name, changes.pop(name))
        self._set_value(valuation, changes, approvals_required)
        self.approvals.clear()
        self.revisions.append(Revision(len(self.revisions) + 1, self.snapshot(), at, editor_id))

    def approve(
        self, reviewer_id: uuid.UUID, at: datetime, note: str | None = None, *, expected_revision: int | None = None
    ) -> events.ContributionApproved | None:
        """Record an approval of the revision the reviewer saw; the event is returned only once enough distinct
        approvers make it count (imported approvals count for no one)."""
        self._check_reviewable_by(reviewer_id, expected_revision)
        if reviewer_id in self.reviewers_approving():
            raise AlreadyDecided(
                "You already approved this contribution; another reviewer must.", code="already_approved_by_you"
            )
        note = (note or "").strip() or None
        self.approvals.append(Approval(reviewer_id, at, note))
        if note:
            self.thread.append(ThreadEntry("note", reviewer_id, at, note))
        if len(self.reviewers_approving()) < self.approvals_required:
            return None
        self._decide(ContributionStatus.APPROVED, reviewer_id, at, note)
        return events.ContributionApproved(
            **self._facts(),
            book_amount=self.book_amount,
            tax_amount=self.tax_amount,
            approved_by=reviewer_id,
            approved_at=at,
            corrects_contribution_id=self.corrects_contribution_id,
        )

    def reject(
        self, reviewer_id: uuid.UUID, at: datetime, reason: str, *, expected_revision: int | None = None
    ) -> events.ContributionRejected:
        """Reject the revision the reviewer saw with a reason the member sees; final."""
        self._check_reviewable_by(reviewer_id, expected_revision)
        self.thread.append(ThreadEntry("note", reviewer_id, at, reason))
        self._decide(ContributionStatus.REJECTED, reviewer_id, at, reason)
        return events.ContributionRejected(
            contribution_id=self.id,
            member_id=self.member_id,
            period_id=self.period_id,
            rejected_by=reviewer_id,
            reason=reason,
            rejected_at=at,
        )

    def request_clarification(
        self, reviewer_id: uuid.UUID, at: datetime, question: str, *, expected_revision: int | None = None
    ) -> events.ClarificationRequested:
        """Ask the submitter a question about the revision the reviewer saw; it waits for the answer."""
        self._check_reviewable_by(reviewer_id, expected_revision)
        if self.status != ContributionStatus.PENDING:
            raise AlreadyDecided(
                "A question is already waiting for the member's answer.", code="awaiting_clarification"
            )
        self.status = ContributionStatus.CLARIFICATION_REQUESTED
        self.thread.append(ThreadEntry("question", reviewer_id, at, question))
        return events.ClarificationRequested(
            contribution_id=self.id,
            member_id=self.member_id,
            requested_by=reviewer_id,
            question=question,
            requested_at=at,
        )

    def answer(self, member_id: uuid.UUID, at: datetime, text: str) -> None:
        """The submitter answers the open question: back to pending for review."""
        if self.status != ContributionStatus.CLARIFICATION_REQUESTED:
            self.check_open()
            raise AlreadyDecided("No question is waiting for an answer.", code="no_open_question")
        self.thread.append(ThreadEntry("answer", member_id, at, text))
        self.status = ContributionStatus.PENDING

    def _decide(self, status: ContributionStatus, reviewer_id: uuid.UUID, at: datetime, note: str | None) -> None:
        self.status = status
        self.decided_at = at
        self.decided_by = reviewer_id
        self.decision_note = note

    def check_open(self) -> None:
        """Raise AlreadyDecided once approved or rejected."""
        if self.is_decided:
            raise AlreadyDecided(f"This contribution is already {self.status}; it cannot change any more.")

    def _check_reviewable_by(self, reviewer_id: uuid.UUID, expected_revision: int | None) -> None:
        if refusal := self_decision(self.member_id, reviewer_id):
            raise refusal
        self.check_open()
        self.check_revision(expected_revision)

    def age(self, now: datetime) -> timedelta:
        return time_waiting(self.submitted_at, now)

    def is_overdue(self, now: datetime, target: timedelta = ReviewPolicy.review_target) -> bool:
        return overdue_for_review(self.status, self.submitted_at, now, target)
