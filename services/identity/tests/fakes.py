"""In-memory stand-ins for the identity ports, for unit tests of the use cases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from habitat_identity.domain.model import AuditEntry, Member, RefreshToken, Revocation
from habitat_identity.domain.password_tokens import PasswordToken
from habitat_identity.domain.passwords import Strength
from habitat_identity.domain.throttle import LoginThrottle


class FakeMemberRepository:
    def __init__(self, members: list[Member] | None = None) -> None:
        self.members = {m.id: m for m in members or []}
        self.seen: set[Member] = set()

    def add(self, member: Member) -> None:
        self.members[member.id] = member
        self.seen.add(member)

    async def get(self, member_id: uuid.UUID) -> Member | None:
        found = self.members.get(member_id)
        if found:
            self.seen.add(found)
        return found

    async def get_by_email(self, email: str) -> Member | None:
        found = next((m for m in self.members.values() if m.email == email.lower()), None)
        if found:
            self.seen.add(found)
        return found

    async def get_many_by_email(self, emails: list[str]) -> dict[str, Member]:
        found = {m.email: m for m in self.members.values() if m.email in emails}
        self.seen.update(found.values())
        return found

    async def names(self, member_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        return {i: self.members[i].display_name for i in member_ids if i in self.members}

    async def search(self, *, q, role, status, limit, offset, after=None) -> tuple[list[Member], int]:
        found = [
            m
            for m in sorted(self.members.values(), key=lambda m: m.email)
            if (not q or q.lower() in m.email or q.lower() in m.display_name.lower())
            and (not role or m.role == role)
            and (not status or m.status == status)
        ]
        following = [m for m in found if after is None or (m.email, m.id) > after]
        return following[offset : offset + limit], len(found)

    async def page_by_id(self, *, after: uuid.UUID | None, limit: int) -> list[Member]:
        found = sorted((m for m in self.members.values() if after is None or m.id > after), key=lambda m: m.id)
        self.seen.update(found[:limit])
        return found[:limit]


class FakeRefreshTokenRepository:
    def __init__(self) -> None:
        self.tokens: dict[str, RefreshToken] = {}

    def add(self, token: RefreshToken) -> None:
        self.tokens[token.token_hash] = token

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        return self.tokens.get(token_hash)

    async def any_of(self, member_id: uuid.UUID) -> bool:
        return any(token.member_id == member_id for token in self.tokens.values())

    async def revoke_family(self, family_id: uuid.UUID, now: datetime) -> None:
        for token in self.tokens.values():
            if token.family_id == family_id and token.revoked_at is None:
                token.revoked_at = now

    async def revoke_all_of(self, member_id: uuid.UUID, now: datetime, *, except_family=None) -> list[uuid.UUID]:
        families = set()
        for token in self.tokens.values():
            if token.member_id == member_id and token.revoked_at is None and token.family_id != except_family:
                token.revoked_at = now
                families.add(token.family_id)
        return sorted(families, key=str)


class FakePasswordTokenRepository:
    def __init__(self) -> None:
        self.tokens: dict[str, PasswordToken] = {}

    def add(self, token: PasswordToken) -> None:
        self.tokens[token.token_hash] = token

    async def get_by_hash(self, token_hash: str) -> PasswordToken | None:
        return self.tokens.get(token_hash)

    async def revoke_unused(self, member_id: uuid.UUID, now: datetime) -> int:
        unused = [t for t in self.tokens.values()
                  if t.member_id == member_id and t.used_at is None and t.revoked_at is None]
        for token in unused:
            token.revoked_at = now
        return len(unused)


class FakeAuditLog:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    def add(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    async def list(
        self, *, limit: int, offset: int, subject_id=None, after=None, q=None
    ) -> tuple[list[AuditEntry], int]:
        found = [e for e in reversed(self.entries) if subject_id is None or e.subject_id == subject_id]
        found = [e for e in found if not q or q.lower() in e.action.lower()]  # the fake searches actions only
        following = [e for e in found if after is None or e.at < after[0] or (e.at == after[0] and e.id > after[1])]
        return following[offset : offset + limit], len(found)


class FakeRevocationFeed:
    def __init__(self) -> None:
        self.entries: list[Revocation] = []

    def add(self, entry: Revocation) -> None:
        self.entries.append(entry)

    async def after(self, cursor: int, *, since, limit: int) -> list[Revocation]:
        numbered = [Revocation(e.member_id, e.session_id, e.not_before, i + 1) for i, e in enumerate(self.entries)]
        return [e for e in numbered if e.id > cursor][:limit]

    async def last_issued_id(self) -> int:
        return len(self.entries)


class FakeLoginThrottles:
    def __init__(self) -> None:
        self.rows: dict[str, LoginThrottle] = {}

    async def get(self, key: str) -> LoginThrottle | None:
        return self.rows.get(key)

    async def lock(self, key: str) -> LoginThrottle:
        return self.rows.setdefault(key, LoginThrottle(key))

    async def forget(self, key: str) -> None:
        self.rows.pop(key, None)

    async def prune(self, now: datetime, stale_before: datetime, limit: int) -> int:
        dead = [
            key for key, t in self.rows.items()
            if (t.locked_until is None or t.locked_until <= now)
            and (t.window_started_at is None or t.window_started_at < stale_before)
        ][:limit]
        for key in dead:
            del self.rows[key]
        return len(dead)


class FakeUnitOfWork:
    """Keeps state across `async with` blocks; `published` holds the events of committed work."""

    def __init__(self, members: list[Member] | None = None) -> None:
        self.members = FakeMemberRepository(members)
        self.refresh_tokens = FakeRefreshTokenRepository()
        self.password_tokens = FakePasswordTokenRepository()
        self.audit = FakeAuditLog()
        self.revocations = FakeRevocationFeed()
        self.throttles = FakeLoginThrottles()
        self.events: list[Any] = []
        self.published: list[Any] = []
        self.commits = 0

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        for member in self.members.seen:
            self.published.extend(member.events)
            member.events = []
        self.commits += 1

    async def rollback(self) -> None:
        return None


class FakeHasher:
    def __init__(self) -> None:
        self.dummy_verifies = 0

    async def hash(self, password: str) -> str:
        return f"hashed:{password}"

    async def hash_many(self, passwords: list[str]) -> list[str]:
        return [await self.hash(password) for password in passwords]

    async def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == f"hashed:{password}"

    async def verify_dummy(self, password: str) -> None:
        self.dummy_verifies += 1

    def needs_rehash(self, password_hash: str) -> bool:
        return False


class FakeIssuer:
    ttl_seconds = 900

    def __init__(self) -> None:
        self.issued: list[tuple[uuid.UUID, str, bool]] = []
        self.sessions: list[uuid.UUID] = []

    async def issue(self, member_id: uuid.UUID, role: str, *, must_change_password: bool, session_id) -> str:
        self.issued.append((member_id, role, must_change_password))
        self.sessions.append(session_id)
        return f"access-{len(self.issued)}"


class FakeStrength:
    """Scores a password 4 unless it contains "weak"."""

    async def estimate(self, password: str, user_inputs: list[str]) -> Strength:
        if "weak" in password:
            return Strength(1, "This is a weak one.", ("Add another word or two.",))
        return Strength(4)


class FakeClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)
