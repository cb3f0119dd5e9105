"""Members as read models on the process's asyncpg read pool: `/me` is asked on every page a member opens.

One column-level statement in autocommit, no ORM entity, no transaction around it (habitat_common.read_pool
says what that saves)."""

from __future__ import annotations

import uuid
from typing import Any

from habitat_common.read_pool import ReadPool
from sqlalchemy import text

from habitat_identity.adapters.orm import SCHEMA

MEMBER = text(
    f"SELECT id, email, display_name, role, status, joined_at, created_at FROM {SCHEMA}.member WHERE id = :id"
)


class PooledMemberViews:
    def __init__(self, reads: ReadPool) -> None:
        self._reads = reads

    async def member(self, member_id: uuid.UUID) -> dict[str, Any] | None:
        row = await self._reads.fetchrow(MEMBER, {"id": member_id})
        return dict(row) if row is not None else None
