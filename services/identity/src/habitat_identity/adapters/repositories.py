"""SQLAlchemy repositories; they take the unit of work's session and never commit."""

from __future__ import annotations

import uuid
from datetime import datetime

from habitat_common.web.paging import like_pattern
from sqlalchemy import and_, exists, func, insert, or_, select, tuple_, update
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

    async def get_many_by_email(self, emails: list[str]) -> dict[str, Member]:
        if not emails:
            return {}
        query = select(Member).where(func.lower(member.c.email).in_([e.lower() for e in emails]))
        found = list((await self._session.execute(query)).scalars())
        self.seen.update(found)
        return {m.email: m for m in found}

    async def names(self, member_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Display names of those of member_ids who are members (columns only: nothing is tracked)."""
        if not member_ids:
            return {}
        query = select(member.c.id, member.c.display_name).where(member.c.id.in_(member_ids))
        return {row.id: row.display_name for row in await self._session.execute(query)}

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
        conditions = []
        if q:
            pattern = like_pattern(q)
            conditions.append(or_(member.c.email.ilike(pattern), member.c.display_name.ilike(pattern)))
        if role:
            conditions.append(member.c.role == role)
        if status:
            conditions.append(member.c.status == status)
        total = await self._session.scalar(select(func.count()).select_from(member).where(*conditions))
        if after is not None:
            conditions.append(tuple_(member.c.email, member.c.id) > tuple_(*after))
        query = select(Member).where(*conditions).order_by(member.c.email, member.c.id).limit(limit).offset(offset)
        found = list((await self._session.execute(query)).scalars())
        self.seen.update(found)
        return found, int(total or 0)

    async def page_by_id(self, *, after: uuid.UUID | None, limit: int) -> list[Member]:
        # FOR SHARE: an update of these rows waits for our commit, so it cannot commit between our read
        # and our events' occurred_at and then be overtaken at the consumers by our older snapshot
        query = select(Member).order_by(member.c.id).limit(limit).with_for_update(read=True)
        if after is not None:
            query = query.where(member.c.id > after)
        found = list((await self._session.execute(query)).scalars())
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

    async def any_of(self, member_id: uuid.UUID) -> bool:
        query = select(exists().where(refresh_token.c.member_id == member_id))
        return bool((await self._session.execute(query)).scalar())

    async def revoke_family(self, family_id: uuid.UUID, now: datetime) -> None:
        await self._revoke(refresh_token.c.family_id == family_id, now)

    async def revoke_all_of(
        self, member_id: uuid.UUID, now: datetime, *, except_family: uuid.UUID | None = None
    ) -> list[uuid.UUID]:
        condition = refresh_token.c.member_id == member_id
        if except_family is not None:
            condition = condition & (refresh_token.c.family_id != except_family)
        return await self._revoke(condition, now)

    async def _revoke(self, condition, now: datetime) -> list[uuid.UUID]:
        result = await self._session.execute(
            update(refresh_token)
            .where(condition, refresh_token.c.revoked_at.is_(None))
            .values(revoked_at=now)
            .returning(refresh_token.c.family_id)
            .execution_options(synchronize_session="fetch")
        )
        return sorted(set(result.scalars()), key=str)


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

    async def list(
        self,
        *,
        limit: int,
        offset: int,
        subject_id: uuid.UUID | None,
        after: tuple[datetime, uuid.UUID] | None = None,
        q: str | None = None,
    ) -> tuple[list[AuditEntry], int]:
        conditions = [] if subject_id is None else [audit_log.c.subject_id == subject_id]
        if q:  # the action, or who acted or was acted on, by email or display name
            pattern = like_pattern(q)
            people = select(member.c.id).where(or_(member.c.email.ilike(pattern), member.c.display_name.ilike(pattern)))
            conditions.append(
                or_(audit_log.c.action.ilike(pattern), audit_log.c.actor_id.in_(people), audit_log.c.subject_id.in_(people))
            )
        total = await self._session.scalar(select(func.count()).select_from(audit_log).where(*conditions))
        if after is not None:  # newest first, then by id: the rows after (at, id) in that order
            at, entry_id = after
            conditions.append(or_(audit_log.c.at < at, and_(audit_log.c.at == at, audit_log.c.id > entry_id)))
        query = (
            select(audit_log)
            .where(*conditions)
            .order_by(audit_log.c.at.desc(), audit_log.c.id)
            .limit(limit)
            .offset(offset)
        )
        rows = (await self._session.execute(query)).mappings().all()
        return [AuditEntry(**row) for row in rows], int(total or 0)
