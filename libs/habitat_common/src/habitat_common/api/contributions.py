"""The contributions API's public bodies: contributions as every route answers them (with their revisions and
thread), approving one or a batch, the review queue, a period's intake and the report of an import of historical
contributions. Money travels as "500.00".

Submitting, editing, answering, rejecting and asking (their request bodies) are not here: the gateway's bodies
state the text lengths the contributions domain asks for (10 to 2000 characters, an answer 5) and refuse other
text as a bad request, while the service answers it with its own codes (422 invalid_description,
invalid_reason, ...), which its tests and the web UI's forms show. The public bodies of those routes are the
gateway's."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from habitat_common.web.inputs import RequestBody

Money = Annotated[Decimal, PlainSerializer(lambda amount: f"{amount:.2f}", return_type=str, when_used="json")]
"""An amount the service answers with: always two places."""

ContributionType = Literal["labor", "capital", "property"]
ContributionStatus = Literal["pending", "approved", "rejected", "clarification_requested"]
NEXT_PAGE = "Cursor of the page after this one, to pass as `after` with the same filters; null on the last page"

ExpectedRevision = Annotated[
    int | None,
    Field(
        default=None,
        ge=1,
        description="The contribution's `revision` you reviewed; if the member has edited it since, the answer is "
        "409 stale_revision and nothing changes. Omitted: not checked (the web UI always sends it)",
    ),
]


class Answer(BaseModel):
    """A response body, built from the service's records."""

    model_config = ConfigDict(from_attributes=True)


class Request(RequestBody):
    """A request body: unknown fields are refused, like every body of the public API."""

    model_config = ConfigDict(extra="forbid")


class ReviewRequest(Request):
    note: str | None = Field(default=None, max_length=2000)
    expected_revision: ExpectedRevision = None


class BatchApproveRequest(Request):
    ids: list[uuid.UUID] = Field(min_length=1, max_length=500)
    note: str | None = Field(default=None, max_length=2000)
    expected_revisions: dict[uuid.UUID, Annotated[int, Field(ge=1)]] | None = Field(
        default=None,
        description="Per id (only ids listed in `ids`): the revision you reviewed; an item edited since fails "
        "on its own with stale_revision. Ids not named here are not checked",
    )

    @model_validator(mode="after")
    def _revisions_of_listed_ids(self) -> BatchApproveRequest:
        if self.expected_revisions and not set(self.expected_revisions) <= set(self.ids):
            raise ValueError("expected_revisions may only name contributions listed in ids")
        return self


class BatchItemError(Answer):
    code: str
    message: str


class BatchItemResult(Answer):
    id: uuid.UUID
    ok: bool
    status: str | None = None
    error: BatchItemError | None = None


class BatchApproveResult(Answer):
    results: list[BatchItemResult]


class Approval(Answer):
    reviewer_id: uuid.UUID
    at: datetime
    note: str | None = None
    imported: bool = Field(
        default=False,
        description="A historical approval from a contributions import: the approver of record, not their decision "
        "here (it never counts as theirs for self-review, distinct approvers or the per-reviewer figures)",
    )
    imported_by: uuid.UUID | None = Field(default=None, description="The admin who imported it")


class Revision(Answer):
    number: int = Field(description="1 is the submission as first made; each edit adds one")
    fields: dict[str, Any] = Field(description="The contribution's editable fields after this revision")
    edited_at: datetime
    edited_by: uuid.UUID | None = None


class ThreadEntry(Answer):
    kind: str
    by: uuid.UUID | None = None
    at: datetime
    text: str


# no docstrings on the answers below: a docstring becomes the schema's description, and the gateway's OpenAPI
# (what clients read) stays as it was


class Contribution(Answer):  # without its history: what the gateway's dashboard shows of the recent ones
    id: uuid.UUID
    member_id: uuid.UUID
    period_id: uuid.UUID
    type: ContributionType
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


class ContributionDetail(Contribution):  # as every route of the service answers: with its revisions and thread
    revisions: list[Revision] = Field(default_factory=list, description="Every edit, oldest first")
    thread: list[ThreadEntry] = Field(default_factory=list, description="Questions, answers and notes")
    import_reference: str | None = Field(default=None, description="Reference of an imported contribution")


class ContributionList(Answer):
    items: list[ContributionDetail]
    total: int | None = None
    next_cursor: str | None = Field(None, description=NEXT_PAGE)


class QueuedContribution(ContributionDetail):
    age_hours: float = Field(description="Hours since submission")
    overdue: bool = Field(description="Older than the 48-hour review target")
    member_name: str | None = Field(default=None, description="The contributor's display name, when known")


class ReviewQueue(Answer):
    items: list[QueuedContribution]
    total: int | None = None
    next_cursor: str | None = Field(None, description=NEXT_PAGE)


class TypeFigures(Answer):
    count: int
    value: Money


class ReviewerFigures(Answer):
    reviewer_id: uuid.UUID
    display_name: str | None = None
    approved: int
    rejected: int
    clarifications: int


class MemberRef(Answer):
    member_id: uuid.UUID
    display_name: str | None = None
    email: str | None = None


class IntakeDashboard(Answer):
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


class PeriodRef(Answer):
    period_id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date
    status: str = Field(description="open, closing or closed")


class MemberPatronage(Answer):
    """A member's contributions in the period containing `on`, by type: approved (their patronage so far, what
    the allocation weighs before the type weights) and awaiting review (pending or asked to clarify)."""

    member_id: uuid.UUID
    on: date
    period: PeriodRef | None = Field(
        description="The period containing `on` or, between periods, the latest that ended before it; null when "
        "no period began by `on`"
    )
    approved: dict[str, TypeFigures] = Field(description="By type (labor, capital, property), zeros included")
    awaiting_review: dict[str, TypeFigures] = Field(description="By type, zeros included")


class ContributionsImportSummary(Answer):
    rows: int = Field(description="Data lines in the file")
    created: int = Field(description="Contributions written by this run")
    unchanged: int = Field(description="Contributions already imported with the same values")
    by_status: dict[str, int] = Field(default_factory=dict, description="Rows per status")
    by_type: dict[str, int] = Field(default_factory=dict, description="Rows per contribution type")
    approved_value: Money = Field(description="Patronage value of the approved rows")


class ImportedContribution(Answer):
    """A contribution as the import writes it."""

    line: int = Field(description="Line of the file where the row starts")
    reference: str
    id: uuid.UUID = Field(description="Contribution id: uuid5 of the reference, the same on every run")
    member_id: uuid.UUID
    member_email: str
    period_id: uuid.UUID
    period: str
    type: ContributionType
    contributed_on: date
    description: str
    hours: Money | None = None
    rate: Money | None = None
    amount: Money | None = None
    fair_market_value: Money | None = None
    adjusted_basis: Money | None = None
    value: Money
    book_amount: Money
    tax_amount: Money
    status: ContributionStatus
    decided_by: uuid.UUID | None = None
    approver_email: str | None = None
    decided_at: datetime | None = None
    corrects_contribution_id: uuid.UUID | None = None
    corrects_reference: str | None = None


class ContributionsImportReport(Answer):
    dry_run: bool
    import_id: uuid.UUID | None = Field(
        default=None, description="The import run; null when nothing was written (a dry run, or nothing new)"
    )
    summary: ContributionsImportSummary
    sample: list[ImportedContribution] = Field(description="Up to 10 contributions as they would be / were written")
