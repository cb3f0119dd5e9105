"""Ports: what the use cases need from the outside world, as Protocols."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol, Self

from habitat_identity.domain.integrity import IntegrityCheck
from habitat_identity.domain.model import AuditEntry, Member, RefreshToken, Revocation
from habitat_identity.domain.password_tokens import PasswordToken
from habitat_identity.domain.passwords import Strength
from habitat_identity.domain.throttle import LoginThrottle


class MemberRepository(Protocol):
    """Members by id and by (case-insensitive) email."""

    def add(self, member: Member) -> None: ...

    async def get(self, member_id: uuid.UUID) -> Member | None: ...

    async def get_by_email(self, email: str) -> Member | None: ...

    async def get_many_by_email(self, emails: list[str]) -> dict[str, Member]:
        """The members having any of these (normalised) emails, keyed by email."""

    async def names(self, member_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The display names of those of member_ids who are members."""

    async def search(
        self,
        *,
        q: str | None,
        role: str | None,
        status: str | None,
        limit: int,
        offset: int,
        after: tuple[str, uuid.UUID] | None = None,
    ) -> tuple[list[Member], int]:
        """One page of members by (email, id), after that key if given, and how many match in all."""

    async def page_by_id(self, *, after: uuid.UUID | None, limit: int) -> list[Member]:
        """Up to limit members with an id above after, by id, share-locked until the transaction ends: a
        concurrent change waits, so its event is stamped after anything this transaction publishes."""
        ...


class RefreshTokenRepository(Protocol):
    """Hashed refresh tokens and their families."""

    def add(self, token: RefreshToken) -> None: ...

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        """The token row, locked for the rest of the transaction."""

    async def any_of(self, member_id: uuid.UUID) -> bool:
        """Whether the member ever started a session (refresh tokens are kept, revoked or not)."""
        ...

    async def revoke_family(self, family_id: uuid.UUID, now: datetime) -> None: ...

    async def revoke_all_of(
        self, member_id: uuid.UUID, now: datetime, *, except_family: uuid.UUID | None = None
    ) -> list[uuid.UUID]:
        """Revoke the member's live tokens; returns the families that had any."""


class PasswordTokenRepository(Protocol):
    """Hashed reset and invitation tokens."""

    def add(self, token: PasswordToken) -> None: ...

    async def get_by_hash(self, token_hash: str) -> PasswordToken | None:
        """The token row, locked for the rest of the transaction (two uses at once: one wins)."""

    async def revoke_unused(self, member_id: uuid.UUID, now: datetime) -> int:
        """Supersede every unused, unrevoked token of the member; how many there were."""
        ...


class RevocationFeed(Protocol):
    """Append-only list of ended sessions the gateway polls."""

    def add(self, revocation: Revocation) -> None: ...

    async def after(self, cursor: int, *, since: datetime | None, limit: int) -> list[Revocation]:
        """Entries with id > cursor (and created at or after since), by id."""

    async def last_issued_id(self) -> int:
        """The last id the feed ever issued (0 before the first)."""


class LoginThrottles(Protocol):
    """Failed sign-in counters, shared by every identity process."""

    async def get(self, key: str) -> LoginThrottle | None: ...

    async def lock(self, key: str) -> LoginThrottle:
        """The counter for key (created when missing), locked for the rest of the transaction."""

    async def forget(self, key: str) -> None: ...

    async def prune(self, now: datetime, stale_before: datetime, limit: int) -> int:
        """Delete up to limit counters not locked at now and untouched since stale_before; how many went."""
        ...


class AuditLog(Protocol):
    """Append-only record of admin decisions."""

    def add(self, entry: AuditEntry) -> None: ...

    async def list(
        self,
        *,
        limit: int,
        offset: int,
        subject_id: uuid.UUID | None,
        after: tuple[datetime, uuid.UUID] | None = None,
        q: str | None = None,
    ) -> tuple[list[AuditEntry], int]:
        """One page of entries, newest first then by id, after that (at, id) if given, and how many match in all;
        q: part of the action or of the actor's or subject's email or display name."""


class IntegrityChecks(Protocol):
    """The registry's post-import integrity checks."""

    async def run(self) -> list[IntegrityCheck]: ...


class UnitOfWork(Protocol):
    """One transaction over the repositories; commit also writes collected events to the outbox."""

    members: MemberRepository
    refresh_tokens: RefreshTokenRepository
    password_tokens: PasswordTokenRepository
    audit: AuditLog
    revocations: RevocationFeed
    throttles: LoginThrottles
    integrity: IntegrityChecks
    events: list[Any]

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class PasswordHasher(Protocol):
    """Slow, salted password hashing (never on the event loop)."""

    async def hash(self, password: str) -> str: ...

    async def hash_many(self, passwords: list[str]) -> list[str]:
        """Hash a batch (an import) without taking every hashing slot: sign-ins keep getting theirs."""

    async def verify(self, password_hash: str, password: str) -> bool: ...

    async def verify_dummy(self, password: str) -> None:
        """Spend the time of one verify, so unknown emails answer as slowly as known ones."""

    def needs_rehash(self, password_hash: str) -> bool: ...


class DeviceCookies(Protocol):
    """Signed device cookies (OWASP): proof that a browser or client signed in to an account before."""

    def issue(self, email: str) -> str:
        """A new cookie value bound to the (normalised) email."""

    def trusts(self, cookie: str | None, email: str) -> bool:
        """Is the cookie genuine, unexpired and issued for this email?"""


class AccessTokenIssuer(Protocol):
    """Signs short-lived access tokens."""

    ttl_seconds: int

    async def issue(
        self, member_id: uuid.UUID, role: str, *, must_change_password: bool, session_id: uuid.UUID
    ) -> str: ...


class PasswordStrengthEstimator(Protocol):
    """How guessable a password is, given the member's own words."""

    async def estimate(self, password: str, user_inputs: list[str]) -> Strength: ...


class Clock(Protocol):
    """The current time (aware, UTC); tests pass a fake one."""

    def now(self) -> datetime: ...


class MemberViews(Protocol):
    """Members as the API shows them, read straight from the database (no unit of work: hot pages)."""

    async def member(self, member_id: uuid.UUID) -> dict[str, Any] | None:
        """The member's public fields, or None."""
