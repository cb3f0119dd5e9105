"""Request and response bodies of the identity HTTP API that are identity's own: sign-in and the own password
change (with the web UI's `session`), the key set, the revocation feed, the integrity report. The public bodies
are defined once in habitat_common.api.identity, which the gateway declares too."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from habitat_common.api.identity import TokenPair
from habitat_common.web.inputs import RequestBody
from pydantic import BaseModel, ConfigDict, Field

from habitat_identity.service_layer import sessions

SessionKind = Literal["api", "web"]
SESSION_KIND = Field(
    default="api", description="web: the web UI's session (12 h, 30 min idle); api: a refresh family (30 d, 7 d idle)"
)


class LoginRequest(RequestBody):
    email: str = Field(max_length=254, description="Email address (case-insensitive)")
    password: str = Field(max_length=1024)
    session: SessionKind = SESSION_KIND


class ChangePasswordRequest(RequestBody):
    current_password: str = Field(max_length=1024)
    session: SessionKind = SESSION_KIND
    new_password: str = Field(
        max_length=1024, description="12 to 256 characters; not your email or name; hard to guess (zxcvbn score >= 3)"
    )


def token_answer(pair: sessions.TokenPair, now: datetime | None = None) -> TokenPair:
    """The public answer for a new pair of tokens: the refresh token's lifetime in seconds from now."""
    expires = pair.refresh_expires_at
    return TokenPair(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        must_change_password=pair.must_change_password,
        refresh_expires_in=max(0, int((expires - (now or datetime.now(UTC))).total_seconds())) if expires else None,
    )


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
    reset: bool = Field(
        default=False,
        description="The cursor asked from is beyond every id the feed issued (the database was restored to an"
        " earlier state): read the feed again from scratch",
    )


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
