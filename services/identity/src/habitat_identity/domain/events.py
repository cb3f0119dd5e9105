"""Internal domain events; adapters/translators.py maps them to published contracts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class _MemberState:
    member_id: uuid.UUID
    email: str
    display_name: str
    role: str
    status: str
    joined_at: date


@dataclass(frozen=True)
class MemberRegistered(_MemberState):
    """An admin (or the ensure-admin command) created a member."""


@dataclass(frozen=True)
class MemberUpdated(_MemberState):
    """A member's status, role or name changed; carries the whole new state."""


@dataclass(frozen=True)
class MemberDeactivated:
    """A member became inactive."""

    member_id: uuid.UUID


@dataclass(frozen=True)
class _SignInLink:
    member_id: uuid.UUID
    email: str
    display_name: str
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class PasswordResetRequested(_SignInLink):
    """A member asked for a password reset link (the raw token travels only in this event)."""


@dataclass(frozen=True)
class InvitationIssued(_SignInLink):
    """A new (or re-invited) member gets a link to choose a password."""


@dataclass(frozen=True)
class NewDeviceSignedIn:
    """A member signed in from a client holding no device cookie of theirs (the notice is security mail)."""

    member_id: uuid.UUID
    email: str
    display_name: str
    signed_in_at: datetime
    client: str
    user_agent: str
