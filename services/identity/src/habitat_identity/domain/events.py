"""Internal domain events; adapters/translators.py maps them to published contracts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date


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
