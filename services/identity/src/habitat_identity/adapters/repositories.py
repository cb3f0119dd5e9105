"""SQLAlchemy repositories; they take the unit of work's session and never commit."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_identity.adapters.orm import audit_log, member, refresh_token
from habitat_identity.domain.model import AuditEntry, Member, RefreshToken


class SqlAlchemyMemberRepository:
    """Members in identity.member; remembers what it handed out so the UoW can collect events."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.seen: set[Member] = set()

    def add(self, new: Member) -> None:
        self._session.add(new)
        self.seen.add(new)

    async def get(self, member_id: uuid.UUID) -> Member | None:
        found = await self._session.get(Member, member_id)
        if found is not None:
            self.seen.add(found)
        return found

    async def get_by_email(self, email: str) -> Member | None:
        query = select(Member).where(func.lower(member.c.email) == email.lower())
        found = (await self._session.execute(query)).scalar_one_or_none()
        if found is not None:
            self.seen.add(found)
        return found

    async def list(self) -> list[Member]:
        found = list((await self._session.execute(select(Member).order_by(member.c.email))).scalars())
        self.seen.update(found)
        return found


class SqlAlchemyRefreshTokenRepository:
    """Hashed refresh tokens in identity.refresh_token."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, token: RefreshToken) -> None:
        self._session.add(token)

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        # Locked so two concurrent refreshes of one token cannot both rotate it.
        query = select(RefreshToken).where(refresh_token.c.token_hash == token_hash).with_for_update()
        return (await self._session.execute(query)).scalar_one_or_none()

    async def revoke_family(self, family_id: uuid.UUID, now: datetime) -> None:
        await self._revoke(refresh_token.c.family_id == family_id, now)

    async def revoke_all_of(self, member_id: uuid.UUID, now: datetime) -> None:
        await self._revoke(refresh_token.c.member_id == member_id, now)

    async def _revoke(self, condition, now: datetime) -> None:
        await self._session.execute(
            update(refresh_token)
            .where(condition, refresh_token.c.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session="fetch")
        )


class SqlAlchemyAuditLog:
    """Append-only identity.audit_log."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._pending: list[AuditEntry] = []

    def add(self, entry: AuditEntry) -> None:
        self._pending.append(entry)

    async def flush(self) -> None:
        """Write the staged entries (called by the unit of work just before commit)."""
        for entry in self._pending:
            await self._session.execute(
                insert(audit_log).values(
                    id=entry.id,
                    actor_id=entry.actor_id,
                    action=entry.action,
                    subject_id=entry.subject_id,
                    before=entry.before,
                    after=entry.after,
                    at=entry.at,
                )
            )
        self._pending = []
