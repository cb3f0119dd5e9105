"""Public request and response bodies, documented in the gateway's OpenAPI."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from habitat_common.web.inputs import IsoDate, Name, RequestBody
from pydantic import BaseModel, ConfigDict, Field

Money = Decimal
Role = Literal["member", "steward", "admin"]


NEXT_PAGE = "Cursor of the page after this one, to pass as `after` with the same filters; null on the last page"


class Body(RequestBody):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"  # identity's: the rest of what makes an address is its own


class LoginRequest(Body):
    email: str = Field(min_length=1, max_length=254, description="Member's email address (case-insensitive)")
    password: str = Field(min_length=1, max_length=1024, description="Password or one-time temporary password")


class RefreshRequest(Body):
    refresh_token: str = Field(
        min_length=1, max_length=512, description="Opaque refresh token from sign-in; rotates on each use"
    )


class PasswordChangeRequest(Body):
    current_password: str = Field(min_length=1, max_length=1024)
    # the length rule (12 to 256) is identity's, answered as 422 weak_password with the other strength rules
    new_password: str = Field(
        max_length=1024, description="12 to 256 characters, not containing your email or name, hard to guess"
        " (422 weak_password otherwise)",
    )


class ForgotPasswordRequest(Body):
    email: str = Field(min_length=1, max_length=254, description="The member's email address (case-insensitive)")


class ResetRequested(Out):
    status: Literal["accepted"] = "accepted"
    message: str = Field(description="The same sentence whether or not the address belongs to a member")


class SetPasswordRequest(Body):
    token: str = Field(min_length=1, max_length=256, description="The token from the mailed link (?token=...)")
    # the length rule (12 to 256) is identity's, answered as 422 weak_password with the other strength rules
    new_password: str = Field(
        max_length=1024, description="12 to 256 characters, not containing your email or name, hard to guess"
        " (422 weak_password otherwise)",
    )


class Invitation(Out):
    member_id: uuid.UUID
    expires_at: datetime = Field(description="When the mailed link stops working")


class TokenPair(Out):
    access_token: str = Field(description="EdDSA-signed JWT, valid 15 minutes")
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Access token lifetime in seconds")
    must_change_password: bool = Field(description="True until the temporary password is changed")
    refresh_expires_in: int | None = Field(
        default=None, description="Seconds the refresh token works unless used: the idle timeout, capped by the"
        " session's absolute limit (30 days for API clients)",
    )


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
    next_cursor: str | None = Field(None, description=NEXT_PAGE)


class CreateMemberRequest(Body):
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    display_name: Name = Field(min_length=1, max_length=200)
    role: Role = "member"
    joined_at: IsoDate | None = None
    send_invitation: bool = Field(
        default=True,
        description="Mail the member a single-use link to choose their password (valid 7 days unless configured"
        " otherwise). false: no mail; the admin hands the temporary password over in person",
    )


class UpdateMemberRequest(Body):
    role: Role | None = None
    status: Literal["active", "inactive"] | None = None
    display_name: Name | None = Field(default=None, min_length=1, max_length=200)


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
    name: Name = Field(min_length=1, max_length=50, examples=["2026-Q1"])
    starts_on: IsoDate
    ends_on: IsoDate
