"""The replica of identity's members (names and numbers the ledger shows)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.adapters.close_tables import member, member_number
from habitat_ledger.domain.journal.member import MemberReplica


class SqlAlchemyMemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, replica: MemberReplica) -> bool:
        values = {k: getattr(replica, k) for k in ("id", "email", "display_name", "status", "updated_at")}
        statement = upsert(member).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[member.c.id],
            set_={k: statement.excluded[k] for k in values if k != "id"},
            where=member.c.updated_at < statement.excluded.updated_at,  # an older event never wins
        ).returning(member.c.id)
        return (await self.session.execute(statement)).first() is not None

    async def get(self, member_id: uuid.UUID) -> MemberReplica | None:
        row = (await self.session.execute(select(member).where(member.c.id == member_id))).first()
        return MemberReplica(*row) if row else None

    async def names(self) -> dict[uuid.UUID, str]:
        return dict((await self.session.execute(select(member.c.id, member.c.display_name))).all())

    async def numbers(self) -> dict[uuid.UUID, int]:
        return dict((await self.session.execute(select(member_number.c.member_id, member_number.c.number))).all())
