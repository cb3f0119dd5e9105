"""Internal domain events; adapters/translators.py maps them to published contracts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class MemberRegistered:
    member_id: uuid.UUID
    email: str
    display_name: str
    role: str
    status: str
    joined_at: date


@dataclass(frozen=True)
class MemberUpdated:
    member_id: uuid.UUID
    email: str
    display_name: str
    role: str
    status: str
    joined_at: date


@dataclass(frozen=True)
class MemberDeactivated:
    member_id: uuid.UUID
