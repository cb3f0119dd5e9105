"""Request and response bodies of the identity HTTP API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from habitat_common.web.inputs import IsoDate, Name, RequestBody
from pydantic import BaseModel, ConfigDict, Field

from habitat_identity.service_layer.sessions import TokenPair

Role = Literal["member", "steward", "admin"]
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


SessionKind = Literal["api", "web"]
SESSION_KIND = Field(
    default="api", description="web: the web UI's session (12 h, 30 min idle); api: a refresh family (30 d, 7 d idle)"
)


NEXT_PAGE = "Cursor of the page after this one, to pass as `after`; null on the last page"


class LoginRequest(RequestBody):
    email: str = Field(max_length=254, description="Email address (case-insensitive)")
    password: str = Field(max_length=1024)
    session: SessionKind = SESSION_KIND


class RefreshRequest(RequestBody):
    refresh_token: str = Field(max_length=512, description="The opaque refresh token from the last sign-in")


class ChangePasswordRequest(RequestBody):
    current_password: str = Field(max_length=1024)
    session: SessionKind = SESSION_KIND
    new_password: str = Field(
        max_length=1024, description="12 to 256 characters; not your email or name; hard to guess (zxcvbn score >= 3)"
    )


class ForgotPasswordRequest(RequestBody):
    email: str = Field(min_length=1, max_length=254, description="The member's email address (case-insensitive)")


class ResetRequested(BaseModel):
    status: Literal["accepted"] = "accepted"
    message: str = Field(description="The same sentence whether or not the address belongs to a member")


class SetPasswordRequest(RequestBody):
    token: str = Field(min_length=1, max_length=256, description="The token from the link that was mailed")
    new_password: str = Field(
        max_length=1024, description="12 to 256 characters; not your email or name; hard to guess (zxcvbn score >= 3)"
    )


class InvitationOut(BaseModel):
    member_id: uuid.UUID
    expires_at: datetime = Field(description="When the mailed link stops working")


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Access token lifetime in seconds")
    must_change_password: bool
    refresh_expires_in: int | None = Field(
        default=None, description="Seconds the refresh token works unless used (idle timeout, capped by the session's end)"
    )

    @classmethod
    def of(cls, pair: TokenPair, now: datetime | None = None) -> TokenResponse:
        expires = pair.refresh_expires_at
        return cls(
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            expires_in=pair.expires_in,
            must_change_password=pair.must_change_password,
            refresh_expires_in=max(0, int((expires - (now or datetime.now(UTC))).total_seconds())) if expires else None,
        )


class CreateMemberRequest(RequestBody):
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    display_name: Name = Field(min_length=1, max_length=200)
    role: Role = "member"
    joined_at: IsoDate | None = None
    send_invitation: bool = Field(
        default=True,
        description="Mail the member a single-use link to choose a password (valid 7 days by default). false: the"
        " admin hands the temporary password over in person",
    )


class UpdateMemberRequest(RequestBody):
    role: Role | None = None
    status: Literal["active", "inactive"] | None = None
    display_name: Name | None = Field(default=None, min_length=1, max_length=200)


class Jwk(BaseModel):
    model_config = ConfigDict(extra="allow")

    kty: str
    crv: str
    x: str
    kid: str
    use: str
    alg: str


class Jwks(BaseModel):
    keys: list[Jwk]


class RevocationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    member_id: uuid.UUID
    session_id: uuid.UUID | None = Field(description="Refuse every access token whose sid equals this")
    not_before: datetime | None = Field(description="Refuse every access token of member_id with iat < this")


class RevocationPage(BaseModel):
    cursor: int = Field(description="Pass as ?after= next time")
    revocations: list[RevocationOut]


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    action: str = Field(description="member.created, member.updated, member.deactivated, ...")
    subject_id: uuid.UUID | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    total: int
    next_cursor: str | None = Field(None, description=NEXT_PAGE)


class IntegrityCheckOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    name: str
    description: str
    passed: bool
    failures: int
    examples: list[str]


class IntegrityReport(BaseModel):
    service: str
    checks: list[IntegrityCheckOut]


class CsvErrorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line: int = Field(description="1-based; line 1 is the header")
    column: int = Field(description="1-based field index")
    field: str
    code: str
    message: str


class ImportSummary(BaseModel):
    created: int
    updated: int
    unchanged: int


class ImportedRowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line: int
    email: str
    action: Literal["created", "updated", "unchanged"]
    changes: dict[str, list[Any]] = Field(description="field -> [old, new]")
    member_id: uuid.UUID | None = Field(description="null for a new member in a dry run")


class CredentialOut(BaseModel):
    email: str
    display_name: str
    temporary_password: str


class WelcomeEmailOut(BaseModel):
    email: str
    subject: str
    body: str


class ImportResult(BaseModel):
    dry_run: bool
    summary: ImportSummary
    rows: list[ImportedRowOut]
    credentials: list[CredentialOut] = Field(description="Real run only: new members' one-time passwords")
    welcome_emails: list[WelcomeEmailOut] = Field(description="Real run only: one per new member")
