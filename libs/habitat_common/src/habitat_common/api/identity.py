"""The identity API's public bodies: members, tokens, passwords chosen by mailed links, the roster import and
the audit log.

Sign-in (POST /auth/login) and the own password change (POST /auth/password) are not here: identity's bodies
carry `session` (the gateway's web UI asks for web sessions), and identity answers an empty email or password
with its own codes (401 invalid_credentials, 400 invalid_password), which the web UI's forms show. The public
bodies of those two routes are the gateway's."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from habitat_common.web.inputs import IsoDate, Name, RequestBody

Role = Literal["member", "steward", "admin"]
MemberStatus = Literal["pending", "active", "inactive"]
NEXT_PAGE = "Cursor of the page after this one, to pass as `after` with the same filters; null on the last page"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"  # the rest of what makes an address is identity's own check
# the length rule (12 to 256) is identity's, answered as 422 weak_password with the other strength rules
NEW_PASSWORD = (
    "12 to 256 characters, not containing your email or name, hard to guess (422 weak_password otherwise)"
)


class Request(RequestBody):
    """A request body: unknown fields are refused, like every body of the public API."""

    model_config = ConfigDict(extra="forbid")


class Member(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    status: MemberStatus
    joined_at: date
    created_at: datetime


class NewMember(Member):
    temporary_password: str = Field(description="Shown once; the member must change it at first sign-in")
    invitation_expires_at: datetime | None = Field(
        default=None, description="When the mailed invitation link expires; null when send_invitation was false"
    )


class MemberList(BaseModel):
    items: list[Member]
    total: int = Field(description="Members matching the filters, before limit/offset")
    next_cursor: str | None = Field(None, description=NEXT_PAGE)


class CreateMemberRequest(Request):
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    display_name: Name = Field(min_length=1, max_length=200)
    role: Role = "member"
    joined_at: IsoDate | None = None
    send_invitation: bool = Field(
        default=True,
        description="Mail the member a single-use link to choose their password (valid 7 days unless configured"
        " otherwise). false: no mail; the admin hands the temporary password over in person",
    )


class UpdateMemberRequest(Request):
    role: Role | None = None
    status: Literal["active", "inactive"] | None = None
    display_name: Name | None = Field(default=None, min_length=1, max_length=200)


class Invitation(BaseModel):
    member_id: uuid.UUID
    expires_at: datetime = Field(description="When the mailed link stops working")


class TokenPair(BaseModel):
    access_token: str = Field(description="EdDSA-signed JWT, valid 15 minutes")
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Access token lifetime in seconds")
    must_change_password: bool = Field(description="True until the temporary password is changed")
    refresh_expires_in: int | None = Field(
        default=None, description="Seconds the refresh token works unless used: the idle timeout, capped by the"
        " session's absolute limit (30 days for API clients)",
    )


class RefreshRequest(Request):
    refresh_token: str = Field(
        min_length=1, max_length=512, description="Opaque refresh token from sign-in; rotates on each use"
    )


class ForgotPasswordRequest(Request):
    email: str = Field(min_length=1, max_length=254, description="The member's email address (case-insensitive)")


class ResetRequested(BaseModel):
    status: Literal["accepted"] = "accepted"
    message: str = Field(description="The same sentence whether or not the address belongs to a member")


class SetPasswordRequest(Request):
    token: str = Field(min_length=1, max_length=256, description="The token from the mailed link (?token=...)")
    new_password: str = Field(max_length=1024, description=NEW_PASSWORD)


class ImportRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line: int
    email: str
    action: Literal["created", "updated", "unchanged"]
    changes: dict[str, list[Any]] = Field(default_factory=dict, description="field: [old, new]")
    member_id: uuid.UUID | None = None


class ImportSummary(BaseModel):
    created: int
    updated: int
    unchanged: int


class Credential(BaseModel):
    email: str
    display_name: str
    temporary_password: str


class WelcomeEmail(BaseModel):
    email: str
    subject: str
    body: str


class ImportReport(BaseModel):
    dry_run: bool
    summary: ImportSummary
    rows: list[ImportRow]
    credentials: list[Credential] = Field(default_factory=list, description="New members only, real run only")
    welcome_emails: list[WelcomeEmail] = Field(default_factory=list)


class AuditEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    action: str
    subject_id: uuid.UUID | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    actor_name: str | None = Field(None, description="The actor's display name today; null for the system")
    subject_name: str | None = Field(None, description="The subject's display name today, when it is a member")


class AuditLog(BaseModel):
    items: list[AuditEntry]
    total: int
    next_cursor: str | None = Field(None, description=NEXT_PAGE)
