"""Public request and response bodies, documented in the gateway's OpenAPI."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

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
    contributed_on: date
    description: str = Field(description="What was done or given; required, not trivial")
    amount: Money | None = Field(default=None, description="capital: cash amount > 0, e.g. \"500.00\"")
    hours: Money | None = Field(default=None, description="labor: hours > 0 and <= 24")
    rate: Money | None = Field(default=None, description="labor: hourly rate within the co-op's rate card")
    fair_market_value: Money | None = Field(default=None, description="property: fair market value > 0")
    adjusted_basis: Money | None = Field(default=None, description="property: contributor's adjusted basis >= 0")


class ReviewRequest(Body):
    note: str | None = Field(default=None, max_length=2000)


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
    fair_market_value: Money | None = None
    adjusted_basis: Money | None = None
    status: str
    submitted_at: datetime
    decided_at: datetime | None = None
    decided_by: uuid.UUID | None = None
    decision_note: str | None = None


class ContributionList(Out):
    items: list[Contribution]


class QueuedContribution(Contribution):
    age_hours: float = Field(description="Hours since submission")
    overdue: bool = Field(description="Older than the 48-hour review target")


class ReviewQueue(Out):
    items: list[QueuedContribution]


class CapitalAccount(Out):
    member_id: uuid.UUID
    book_balance: Money = Field(description="Section 704(b) book capital, credit balance positive")
    tax_balance: Money = Field(description="Tax-basis capital, credit balance positive")
    as_of: date | datetime | None = None


class Dashboard(Out):
    profile: Member
    capital_account: CapitalAccount
    recent_contributions: list[Contribution]
