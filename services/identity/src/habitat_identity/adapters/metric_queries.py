"""Reads behind identity's gauges refreshed from the database (habitat_members)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from habitat_identity.adapters.orm import member


async def members_by_status(connection: AsyncConnection) -> dict[str, int]:
    """How many members have each status (statuses no member has are absent)."""
    query = select(member.c.status, func.count()).group_by(member.c.status)
    return {status: count for status, count in (await connection.execute(query)).all()}
