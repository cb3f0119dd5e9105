"""Public bodies of intake and review: submit, edit, review, queue, intake dashboard."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from habitat_common.api.identity import Member
from habitat_common.web.inputs import IsoDate
from habitat_common.web.money import HoursIn, MoneyIn
from pydantic import Field

from habitat_gateway.schemas import NEXT_PAGE, Body, Money, Out

# the contributions domain folds white space and asks for meaningful text of 10 (an answer: 5) to 2000
# characters (422 invalid_description, invalid_reason, ...); the schema states the lengths it can
Description = Annotated[str, Field(min_length=10, max_length=2000)]
Reason = Annotated[str, Field(min_length=10, max_length=2000)]
Answer = Annotated[str, Field(min_length=5, max_length=2000)]


class SubmitContributionRequest(Body):
    type: Literal["labor", "capital", "property"]
    corrects_contribution_id: uuid.UUID | None = Field(
        default=None,
        description="Set to correct an approved contribution of yours, of the same type; values are then the "
        "changes and may be negative, but the original plus its approved corrections never goes below zero",
    )
    contributed_on: IsoDate = Field(description="Not in the future (co-op time zone), not before you joined")
    description: Description = Field(description="What was done or given; required, not trivial")
    amount: MoneyIn | None = Field(default=None, description="capital: cash amount > 0, e.g. \"500.00\"")
    hours: HoursIn | None = Field(default=None, description="labor: hours > 0 and <= 24, as text, e.g. \"7.50\"")
    rate: MoneyIn | None = Field(default=None, description="labor: hourly rate within the co-op's rate card")
    fair_market_value: MoneyIn | None = Field(default=None, description="property: fair market value > 0")
    adjusted_basis: MoneyIn | None = Field(default=None, description="property: contributor's adjusted basis >= 0")


ExpectedRevision = Annotated[
    int | None,
    Field(
        default=None,
        ge=1,
        description="The contribution's `revision` you reviewed; if the member has edited it since, the answer is "
        "409 stale_revision and nothing changes. Omitted: not checked (the web UI always sends it)",
    ),
]


class ReviewRequest(Body):
    note: str | None = Field(default=None, max_length=2000)
    expected_revision: ExpectedRevision = None


class EditContributionRequest(Body):
    contributed_on: IsoDate | None = None
    description: Description | None = None
    amount: MoneyIn | None = None
    hours: HoursIn | None = None
    rate: MoneyIn | None = None
    fair_market_value: MoneyIn | None = None
    adjusted_basis: MoneyIn | None = None


class RejectRequest(Body):
    reason: Reason = Field(description="Why; shown to the member")
    expected_revision: ExpectedRevision = None


class ClarificationRequest(Body):
    question: Reason = Field(description="What the reviewer needs to know")
    expected_revision: ExpectedRevision = None


class RespondRequest(EditContributionRequest):
    answer: Answer = Field(description="The member's answer to the reviewer's question")


class BatchApproveRequest(Body):
    ids: list[uuid.UUID] = Field(min_length=1, max_length=500)
    note: str | None = Field(default=None, max_length=2000)
    expected_revisions: dict[uuid.UUID, Annotated[int, Field(ge=1)]] | None = Field(
        default=None,
        description="Per id (only ids listed in `ids`): the revision you reviewed; an item edited since fails "
        "on its own with stale_revision. Ids not named here are not checked",
    )


class BatchItemError(Out):
    code: str
    message: str


class BatchItemResult(Out):
    id: uuid.UUID
    ok: bool
    status: str | None = None
    error: BatchItemError | None = None


class BatchApproveResult(Out):
    results: list[BatchItemResult]


class Approval(Out):
    reviewer_id: uuid.UUID
    at: datetime
    note: str | None = None
    imported: bool = Field(
        default=False,
        description="A historical approval from a contributions import: the approver of record, not their decision "
        "here (it never counts as theirs for self-review, distinct approvers or the per-reviewer figures)",
    )
    imported_by: uuid.UUID | None = Field(default=None, description="The admin who imported it")


class Revision(Out):
    number: int = Field(description="1 is the submission as first made; each edit adds one")
    fields: dict[str, Any] = Field(description="The contribution's editable fields after this revision")
    edited_at: datetime
    edited_by: uuid.UUID | None = None


class ThreadEntry(Out):
    kind: str
    by: uuid.UUID | None = None
    at: datetime
    text: str


class Contribution(Out):
    id: uuid.UUID
    member_id: uuid.UUID
    period_id: uuid.UUID
    type: Literal["labor", "capital", "property"]
    contributed_on: date
    description: str
    value: Money
    book_amount: Money
    tax_amount: Money
    hours: Money | None = None
    rate: Money | None = None
    amount: Money | None = None
    fair_market_value: Money | None = None
    adjusted_basis: Money | None = None
    status: str
    submitted_at: datetime
    decided_at: datetime | None = None
    decided_by: uuid.UUID | None = None
    decision_note: str | None = None
    corrects_contribution_id: uuid.UUID | None = None
    approvals: list[Approval] = Field(default_factory=list)
    approvals_required: int = 1
    revision: int = Field(
        default=1, description="Number of the current revision; send it back as expected_revision when reviewing"
    )


class ContributionDetail(Contribution):
    revisions: list[Revision] = Field(default_factory=list, description="Every edit, oldest first")
    thread: list[ThreadEntry] = Field(default_factory=list, description="Questions, answers and notes")


class ContributionList(Out):
    items: list[Contribution]
    total: int | None = None
    next_cursor: str | None = Field(None, description=NEXT_PAGE)


class QueuedContribution(Contribution):
    age_hours: float = Field(description="Hours since submission")
    overdue: bool = Field(description="Older than the 48-hour review target")
    member_name: str | None = Field(default=None, description="The contributor's display name, when known")


class ReviewQueue(Out):
    items: list[QueuedContribution]
    total: int | None = None
    next_cursor: str | None = Field(None, description=NEXT_PAGE)


class TypeFigures(Out):
    count: int
    value: Money


class ReviewerFigures(Out):
    reviewer_id: uuid.UUID
    display_name: str | None = None
    approved: int
    rejected: int
    clarifications: int


class MemberRef(Out):
    member_id: uuid.UUID
    display_name: str | None = None
    email: str | None = None


class IntakeDashboard(Out):
    period_id: uuid.UUID
    active_members: int
    members_with_submissions: int
    participation_percent: str
    by_type: dict[str, TypeFigures]
    by_status: dict[str, TypeFigures]
    pending_count: int
    approval_rate_percent: str | None
    mean_hours_to_decision: float | None
    p95_hours_to_decision: float | None
    per_reviewer: list[ReviewerFigures]
    not_submitted: list[MemberRef]


class CapitalAccount(Out):
    member_id: uuid.UUID
    book_balance: Money = Field(description="Section 704(b) book capital, credit balance positive")
    tax_balance: Money = Field(description="Tax-basis capital, credit balance positive")
    as_of: date | datetime | None = None


class Dashboard(Out):
    profile: Member
    capital_account: CapitalAccount
    recent_contributions: list[Contribution]
    allocations: list[dict[str, Any]] = Field(description="Patronage allocations credited to your capital")
    statement: list[dict[str, Any]] = Field(description="Your latest capital account lines, running balances")
