"""Public request and response bodies, documented in the gateway's OpenAPI."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Money = Decimal
Role = Literal["member", "steward", "admin"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LoginRequest(Body):
    email: str = Field(description="Member's email address (case-insensitive)")
    password: str = Field(description="Password or one-time temporary password")


class RefreshRequest(Body):
    refresh_token: str = Field(description="Opaque refresh token from sign-in; rotates on each use")


class PasswordChangeRequest(Body):
    current_password: str
    new_password: str = Field(description="At least 12 characters, not containing your email or name")


class TokenPair(Out):
    access_token: str = Field(description="EdDSA-signed JWT, valid 15 minutes")
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Access token lifetime in seconds")
    must_change_password: bool = Field(description="True until the temporary password is changed")


class Member(Out):
    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    status: Literal["pending", "active", "inactive"]
    joined_at: date
    created_at: datetime


class NewMember(Member):
    temporary_password: str = Field(description="Shown once; the member must change it at first sign-in")


class MemberList(Out):
    items: list[Member]
    total: int = Field(description="Members matching the filters, before limit/offset")


class ImportRow(Out):
    line: int
    email: str
    action: Literal["created", "updated", "unchanged"]
    changes: dict[str, list[Any]] = Field(default_factory=dict, description="field: [old, new]")
    member_id: uuid.UUID | None = None


class ImportSummary(Out):
    created: int
    updated: int
    unchanged: int


class Credential(Out):
    email: str
    display_name: str
    temporary_password: str


class WelcomeEmail(Out):
    email: str
    subject: str
    body: str


class ImportReport(Out):
    dry_run: bool
    summary: ImportSummary
    rows: list[ImportRow]
    credentials: list[Credential] = Field(default_factory=list, description="New members only, real run only")
    welcome_emails: list[WelcomeEmail] = Field(default_factory=list)


class AuditEntry(Out):
    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    action: str
    subject_id: uuid.UUID | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class AuditLog(Out):
    items: list[AuditEntry]
    total: int


class CreateMemberRequest(Body):
    email: str = Field(min_length=3, max_length=320)
    display_name: str = Field(min_length=1, max_length=200)
    role: Role = "member"
    joined_at: date | None = None


class UpdateMemberRequest(Body):
    role: Role | None = None
    status: Literal["active", "inactive"] | None = None
    display_name: str | None = Field(default=None, min_length=1, max_length=200)


class Period(Out):
    id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date
    status: Literal["open", "closing", "closed"]
    created_at: datetime


class PeriodList(Out):
    items: list[Period]


class CreatePeriodRequest(Body):
    name: str = Field(min_length=1, max_length=50, examples=["2026-Q1"])
    starts_on: date
    ends_on: date


class SubmitContributionRequest(Body):
    type: Literal["labor", "capital", "property"]
    corrects_contribution_id: uuid.UUID | None = Field(
        default=None, description="Set to correct a decided contribution; values may then be negative"
    )
    contributed_on: date
    description: str = Field(description="What was done or given; required, not trivial")
    amount: Money | None = Field(default=None, description="capital: cash amount > 0, e.g. \"500.00\"")
    hours: Money | None = Field(default=None, description="labor: hours > 0 and <= 24")
    rate: Money | None = Field(default=None, description="labor: hourly rate within the co-op's rate card")
    fair_market_value: Money | None = Field(default=None, description="property: fair market value > 0")
    adjusted_basis: Money | None = Field(default=None, description="property: contributor's adjusted basis >= 0")


class ReviewRequest(Body):
    note: str | None = Field(default=None, max_length=2000)


class EditContributionRequest(Body):
    contributed_on: date | None = None
    description: str | None = None
    amount: Money | None = None
    hours: Money | None = None
    rate: Money | None = None
    fair_market_value: Money | None = None
    adjusted_basis: Money | None = None


class RejectRequest(Body):
    reason: str = Field(description="Why; shown to the member")


class ClarificationRequest(Body):
    question: str = Field(description="What the reviewer needs to know")


class RespondRequest(EditContributionRequest):
    answer: str = Field(description="The member's answer to the reviewer's question")


class BatchApproveRequest(Body):
    ids: list[uuid.UUID] = Field(max_length=500)
    note: str | None = Field(default=None, max_length=2000)


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


class ContributionDetail(Contribution):
    revisions: list[Revision] = Field(default_factory=list, description="Every edit, oldest first")
    thread: list[ThreadEntry] = Field(default_factory=list, description="Questions, answers and notes")


class ContributionList(Out):
    items: list[Contribution]
    total: int | None = None


class QueuedContribution(Contribution):
    age_hours: float = Field(description="Hours since submission")
    overdue: bool = Field(description="Older than the 48-hour review target")


class ReviewQueue(Out):
    items: list[QueuedContribution]
    total: int | None = None


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
