"""Commands: what callers ask the identity context to do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CreateMember:
    email: str
    display_name: str
    role: str
    joined_at: date | None = None


@dataclass(frozen=True)
class UpdateMember:
    member_id: uuid.UUID
    role: str | None = None
    status: str | None = None
    display_name: str | None = None


@dataclass(frozen=True)
class EnsureAdmin:
    email: str
    password: str
    display_name: str
    must_change_password: bool = True


@dataclass(frozen=True)
class ChangePassword:
    member_id: uuid.UUID
    current_password: str
    new_password: str
