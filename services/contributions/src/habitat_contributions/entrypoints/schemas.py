"""Request and response bodies of the HTTP API (money as decimal strings with two places)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from habitat_common.web.inputs import IsoDate, RequestBody
from habitat_common.web.money import HoursIn, MoneyIn

TypeName = Literal["labor", "capital", "property"]
StatusName = Literal["pending", "approved", "rejected", "clarification_requested"]
MoneyOut = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="json")]
ExpectedRevision = Annotated[
    int | None,
    Field(
        default=None,
        ge=1,
        description="The contribution's revision you reviewed (its `revision`); if the submitter has edited it "
        "since, the request is refused with 409 stale_revision. Omitted: not checked",
    ),
]


NEXT_PAGE = "Cursor of the page after this one, to pass as `after` with the same filters; null on the last page"


class SubmitContributionBody(RequestBody):
    """A new contribution; which amount fields apply depends on its type."""

    model_config = ConfigDict(extra="forbid")
    type: TypeName = Field(description="labor, capital or property")
    contributed_on: IsoDate = Field(description="Date the work was done or the asset handed over")
    description: str = Field(description="What was done or contributed (at least 10 meaningful characters)")
    hours: HoursIn | None = Field(
        default=None, description='Labor: hours worked that day as a decimal string ("7.50"), more than 0, at most 24'
    )
    rate: MoneyIn | None = Field(default=None, description="Labor: rate per hour (defaults to the co-op's rate)")
    amount: MoneyIn | None = Field(default=None, description='Capital: cash amount, more than 0, e.g. "500.00"')
    fair_market_value: MoneyIn | None = Field(default=None, description="Property: fair market value, more than 0")
    adjusted_basis: MoneyIn | None = Field(
        default=None, description="Property: contributor's adjusted basis, 0 or more"
    )
    corrects_contribution_id: uuid.UUID | None = Field(
        default=None,
        description="Makes this a correction of an approved contribution of yours, of the same type; amounts "
        "(hours, amount, fair_market_value, adjusted_basis) are then the changes and may be negative (a property "
        'correction may fix the basis alone: fair_market_value "0"), but the original plus its approved '
        "corrections never goes below zero",
    )


class EditContributionBody(RequestBody):
    """Fields to change while pending or in clarification (any subset; the type never changes)."""

    model_config = ConfigDict(extra="forbid")
    contributed_on: IsoDate | None = None
    description: str | None = None
    hours: HoursIn | None = None
    rate: MoneyIn | None = None
    amount: MoneyIn | None = None
    fair_market_value: MoneyIn | None = None
    adjusted_basis: MoneyIn | None = None

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True, exclude_none=True, exclude={"answer"})


class RespondBody(EditContributionBody):
    """The member's answer to the open question, optionally with edits."""

    answer: str = Field(description="Answer to the reviewer's question")


class RejectBody(RequestBody):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(description="Why it is rejected (shown to the member; at least 10 meaningful characters)")
    expected_revision: ExpectedRevision = None


class ClarifyBody(RequestBody):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="What the reviewer needs to know (at least 10 meaningful characters)")
    expected_revision: ExpectedRevision = None


class BatchApproveBody(RequestBody):
    model_config = ConfigDict(extra="forbid")
    ids: list[uuid.UUID] = Field(min_length=1, max_length=500, description="Contributions to approve (max 500)")
    note: str | None = Field(default=None, max_length=2000)
    expected_revisions: dict[uuid.UUID, Annotated[int, Field(ge=1)]] | None = Field(
        default=None,
        description="Per id: the revision you reviewed; an item edited since fails with stale_revision "
        "(ids not named here are not checked)",
    )

    @model_validator(mode="after")
    def _revisions_of_listed_ids(self) -> BatchApproveBody:
        if self.expected_revisions and not set(self.expected_revisions) <= set(self.ids):
            raise ValueError("expected_revisions may only name contributions listed in ids")
        return self


class ApproveBody(RequestBody):
    """An approval, optionally with a note."""

    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=2000, description="Optional reviewer note")
    expected_revision: ExpectedRevision = None


class ApprovalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    reviewer_id: uuid.UUID
    at: datetime
    note: str | None = None
    imported: bool = Field(
        default=False,
        description="A historical approval from a contributions import: it names the approver of record but is "
        "not their decision here (it counts for no one in the review rules)",
    )
    imported_by: uuid.UUID | None = Field(default=None, description="The admin who imported it")


class RevisionOut(BaseModel):
    """One version of the submitted fields; number 1 is the original submission, the last is current."""

    model_config = ConfigDict(from_attributes=True)
    number: int
    fields: dict
    edited_at: datetime
    edited_by: uuid.UUID


class ThreadEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    kind: Literal["question", "answer", "note"]
    by: uuid.UUID
    at: datetime
    text: str


class ContributionOut(BaseModel):
    """A contribution as the API shows it."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    member_id: uuid.UUID
    period_id: uuid.UUID
    type: TypeName
    contributed_on: date
    description: str
    value: MoneyOut = Field(description="Patronage value")
    book_amount: MoneyOut = Field(description="Capital credit on the book (704(b)) basis")
    tax_amount: MoneyOut = Field(description="Capital credit on the tax basis")
    hours: MoneyOut | None = None
    rate: MoneyOut | None = None
    amount: MoneyOut | None = None
    fair_market_value: MoneyOut | None = None
    adjusted_basis: MoneyOut | None = None
    status: StatusName
    submitted_at: datetime
    decided_at: datetime | None = None
    decided_by: uuid.UUID | None = None
    decision_note: str | None = None
    corrects_contribution_id: uuid.UUID | None = None
    import_reference: str | None = Field(default=None, description="Reference of an imported contribution")
    approvals: list[ApprovalOut] = Field(default_factory=list, description="Approvals so far")
    approvals_required: int = Field(description="2 at or above the dual-approval threshold, else 1")
    revision: int = Field(
        description="Number of the current revision; send it back as expected_revision when reviewing"
    )
    revisions: list[RevisionOut] = Field(default_factory=list)
    thread: list[ThreadEntryOut] = Field(default_factory=list)


class ContributionList(BaseModel):
    items: list[ContributionOut]
    total: int
    next_cursor: str | None = Field(None, description=NEXT_PAGE)


class QueuedContributionOut(ContributionOut):
    """A pending contribution in the review queue."""

    age_hours: float = Field(description="Hours since submission")
    overdue: bool = Field(description="True when pending for more than the 48 h review target")
    member_name: str | None = Field(default=None, description="The contributor's display name, when known")


class ReviewQueue(BaseModel):
    items: list[QueuedContributionOut]
    total: int
    next_cursor: str | None = Field(None, description=NEXT_PAGE)


class ErrorOut(BaseModel):
    code: str
    message: str


class BatchItemOut(BaseModel):
    id: uuid.UUID
    ok: bool
    status: StatusName | None = None
    error: ErrorOut | None = None


class BatchApproveOut(BaseModel):
    results: list[BatchItemOut]


class CountValue(BaseModel):
    count: int
    value: MoneyOut


class ReviewerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    reviewer_id: uuid.UUID
    display_name: str | None = None
    approved: int
    rejected: int
    clarifications: int


class NotSubmittedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    member_id: uuid.UUID
    display_name: str | None = None
    email: str | None = None


class IntakeOut(BaseModel):
    """Intake progress of one period."""

    period_id: uuid.UUID
    active_members: int
    members_with_submissions: int
    participation_percent: str = Field(description="Active members with at least one submission, one decimal")
    by_type: dict[TypeName, CountValue]
    by_status: dict[StatusName, CountValue]
    pending_count: int
    approval_rate_percent: str | None = Field(description="approved / decided, one decimal; null if none decided")
    mean_hours_to_decision: float | None
    p95_hours_to_decision: float | None
    per_reviewer: list[ReviewerOut]
    not_submitted: list[NotSubmittedOut]
