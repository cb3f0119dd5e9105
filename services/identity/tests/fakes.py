"""In-memory stand-ins for the identity ports, for unit tests of the use cases."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Self

from habitat_identity.domain.model import AuditEntry, Member, RefreshToken


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

    async def list(self) -> list[Member]:
        return sorted(self.members.values(), key=lambda m: m.email)


class FakeRefreshTokenRepository:
    def __init__(self) -> None:
        self.tokens: dict[str, RefreshToken] = {}

    def add(self, token: RefreshToken) -> None:
        self.tokens[token.token_hash] = token

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        return self.tokens.get(token_hash)

    async def revoke_family(self, family_id: uuid.UUID, now: datetime) -> None:
        for token in self.tokens.values():
            if token.family_id == family_id and token.revoked_at is None:
                token.revoked_at = now

    async def revoke_all_of(self, member_id: uuid.UUID, now: datetime) -> None:
        for token in self.tokens.values():
            if token.member_id == member_id and token.revoked_at is None:
                token.revoked_at = now


class FakeAuditLog:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    def add(self, entry: AuditEntry) -> None:
        self.entries.append(entry)


class FakeUnitOfWork:
    """Keeps state across `async with` blocks; `published` holds the events of committed work."""

    def __init__(self, members: list[Member] | None = None) -> None:
        self.members = FakeMemberRepository(members)
        self.refresh_tokens = FakeRefreshTokenRepository()
        self.audit = FakeAuditLog()
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

    async def issue(self, member_id: uuid.UUID, role: str, *, must_change_password: bool) -> str:
        self.issued.append((member_id, role, must_change_password))
        return f"access-{len(self.issued)}"
