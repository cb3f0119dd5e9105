"""Repositories of the sign-in safety tables: the revocation feed and the login throttles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_common.member_changes import last_issued_id

from habitat_identity.adapters.orm import SCHEMA, login_throttle, revocation
from habitat_identity.domain.model import Revocation
from habitat_identity.domain.throttle import LoginThrottle


LAST_ISSUED = last_issued_id(f"{SCHEMA}.revocation")


class SqlAlchemyRevocationFeed:
    """identity.revocation: rows are only ever inserted."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._pending: list[Revocation] = []

    def add(self, entry: Revocation) -> None:
        self._pending.append(entry)

    async def flush(self) -> None:
        """Write the staged entries (called by the unit of work just before commit)."""
        if self._pending:
            rows = [
                {"member_id": r.member_id, "session_id": r.session_id, "not_before": r.not_before}
                for r in self._pending
            ]
            await self._session.execute(insert(revocation), rows)
        self._pending = []

    async def after(self, cursor: int, *, since: datetime | None, limit: int) -> list[Revocation]:
        query = select(revocation).where(revocation.c.id > cursor).order_by(revocation.c.id).limit(limit)
        if since is not None:
            query = query.where(revocation.c.created_at >= since)
        rows = (await self._session.execute(query)).mappings().all()
        return [Revocation(**row) for row in rows]

    async def last_issued_id(self) -> int:
        return (await self._session.execute(LAST_ISSUED)).scalar_one()


class SqlAlchemyLoginThrottles:
    """identity.login_throttle, mapped onto LoginThrottle."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, key: str) -> LoginThrottle | None:
        return await self._session.get(LoginThrottle, key)

    async def lock(self, key: str) -> LoginThrottle:
        # Insert-if-missing first, so two first failures at once cannot both try to create the row.
        await self._session.execute(
            pg_insert(login_throttle).values(key=key, failures=0).on_conflict_do_nothing(index_elements=["key"])
        )
        query = select(LoginThrottle).where(login_throttle.c.key == key).with_for_update()
        return (await self._session.execute(query.execution_options(populate_existing=True))).scalar_one()

    async def forget(self, key: str) -> None:
        found = await self._session.get(LoginThrottle, key)
        if found is not None:
            await self._session.delete(found)

    async def prune(self, now: datetime, stale_before: datetime, limit: int) -> int:
        t = login_throttle.c
        dead = (
            select(t.key)
            .where(or_(t.locked_until.is_(None), t.locked_until <= now))
            .where(or_(t.window_started_at.is_(None), t.window_started_at < stale_before))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        removed = await self._session.execute(delete(login_throttle).where(t.key.in_(dead.scalar_subquery())))
        return removed.rowcount
