"""Reset and invitation tokens in identity.password_token (hashes only)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_identity.adapters.orm import password_token
from habitat_identity.domain.password_tokens import PasswordToken


class SqlAlchemyPasswordTokenRepository:
    """identity.password_token, mapped onto PasswordToken."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, token: PasswordToken) -> None:
        self._session.add(token)

    async def get_by_hash(self, token_hash: str) -> PasswordToken | None:
        # Locked so that two submissions of one link cannot both set a password.
        query = select(PasswordToken).where(password_token.c.token_hash == token_hash).with_for_update()
        return (await self._session.execute(query.execution_options(populate_existing=True))).scalar_one_or_none()

    async def revoke_unused(self, member_id: uuid.UUID, now: datetime) -> int:
        await self._session.flush()  # a token just spent in this transaction is used, not superseded
        t = password_token.c
        result = await self._session.execute(
            update(password_token)
            .where(t.member_id == member_id, t.used_at.is_(None), t.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount
