"""Builders of domain objects for tests."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from habitat_identity.domain.model import Member


def a_member(
    *,
    email: str | None = None,
    display_name: str = "Ada Lovelace",
    role: str = "member",
    status: str = "active",
    password: str = "correct horse battery",
    must_change_password: bool = False,
) -> Member:
    now = datetime.now(UTC)
    return Member(
        id=uuid.uuid4(),
        email=email or f"m{uuid.uuid4().hex[:8]}@example.org",
        display_name=display_name,
        role=role,
        status=status,
        joined_at=date(2026, 1, 1),
        password_hash=f"hashed:{password}",
        must_change_password=must_change_password,
        created_at=now,
        updated_at=now,
    )
