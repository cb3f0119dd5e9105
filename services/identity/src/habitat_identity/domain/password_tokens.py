"""Single-use links that let a member choose a password: a reset (forgot password) or an invitation.

The raw token exists only in the event that carries it to the mailer; identity stores its sha256, so
a copy of the table signs nobody in. A token works once, until it expires, and only while it is the
member's newest: issuing another one supersedes it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from habitat_identity.domain.errors import (
    InvalidMemberChange,
    InvalidPasswordToken,
    PasswordTokenExpired,
    PasswordTokenUsed,
)
from habitat_identity.domain.events import InvitationIssued, PasswordResetRequested
from habitat_identity.domain.model import Member

RESET, INVITATION = "reset", "invitation"
PURPOSES = (RESET, INVITATION)
RESET_TTL = timedelta(minutes=30)
INVITATION_TTL = timedelta(days=7)
TOKEN_BYTES = 32  # 256 bits: guessing one within its lifetime is out of reach


def hash_password_token(raw: str) -> str:
    """What is stored and looked up: the token's sha256 (it is random enough not to need a slow hash)."""
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class PasswordToken:
    """One issued link, stored as the hash of its token."""

    id: uuid.UUID
    member_id: uuid.UUID
    purpose: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None

    def check_usable(self, purpose: str, now: datetime) -> None:
        """Raise why the token cannot set a password now (used, expired, superseded or another purpose)."""
        if self.purpose != purpose or self.revoked_at is not None:
            raise InvalidPasswordToken()
        if self.used_at is not None:
            raise PasswordTokenUsed()
        if now >= self.expires_at:
            raise PasswordTokenExpired()

    def use(self, purpose: str, now: datetime) -> None:
        """Spend the token: it never sets a password again."""
        self.check_usable(purpose, now)
        self.used_at = now


def issue_password_token(member: Member, purpose: str, now: datetime, ttl: timedelta) -> PasswordToken:
    """A new token for the member; the raw value goes out only in the event recorded on the member.

    A reset is for a member who may sign in (active or pending); an invitation for one not deactivated.
    The caller supersedes the member's older tokens in the same transaction.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    if not member.can_sign_in:
        raise InvalidMemberChange("Reactivate the member before sending them a sign-in link.")
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    token = PasswordToken(
        id=uuid.uuid4(),
        member_id=member.id,
        purpose=purpose,
        token_hash=hash_password_token(raw),
        created_at=now,
        expires_at=now + ttl,
    )
    event = PasswordResetRequested if purpose == RESET else InvitationIssued
    member.events.append(
        event(member_id=member.id, email=member.email, display_name=member.display_name, token=raw,
              expires_at=token.expires_at)
    )
    return token
