"""Ports: what the use cases need from the outside world, as Protocols."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol, Self

from habitat_identity.domain.model import AuditEntry, Member, RefreshToken


class MemberRepository(Protocol):
    """Members by id and by (case-insensitive) email."""

    def add(self, member: Member) -> None: ...

    async def get(self, member_id: uuid.UUID) -> Member | None: ...

    async def get_by_email(self, email: str) -> Member | None: ...

    async def list(self) -> list[Member]: ...


class RefreshTokenRepository(Protocol):
    """Hashed refresh tokens and their families."""

    def add(self, token: RefreshToken) -> None: ...

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        """The token row, locked for the rest of the transaction."""

    async def revoke_family(self, family_id: uuid.UUID, now: datetime) -> None: ...

    async def revoke_all_of(self, member_id: uuid.UUID, now: datetime) -> None: ...


class AuditLog(Protocol):
    """Append-only record of admin decisions."""

    def add(self, entry: AuditEntry) -> None: ...


class UnitOfWork(Protocol):
    """One transaction over the repositories; commit also writes collected events to the outbox."""

    members: MemberRepository
    refresh_tokens: RefreshTokenRepository
    audit: AuditLog
    events: list[Any]

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class PasswordHasher(Protocol):
    """Slow, salted password hashing (never on the event loop)."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...

    async def verify_dummy(self, password: str) -> None:
        """Spend the time of one verify, so unknown emails answer as slowly as known ones."""

    def needs_rehash(self, password_hash: str) -> bool: ...


class AccessTokenIssuer(Protocol):
    """Signs short-lived access tokens."""

    ttl_seconds: int

    async def issue(self, member_id: uuid.UUID, role: str, *, must_change_password: bool) -> str: ...
