"""The SQLAlchemy unit of work: repositories on one session; events go to the outbox on commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from habitat_common.db import SqlAlchemyUnitOfWorkBase
from habitat_contributions.adapters import orm, translators
from habitat_contributions.adapters.repositories import (
    SqlAlchemyContributionRepository,
    SqlAlchemyIdempotencyKeys,
    SqlAlchemyMemberReplicaRepository,
    SqlAlchemyPeriodReplicaRepository,
)
from habitat_contributions.adapters.submissions import SqlAlchemySubmissionLookups, insert_new

PRODUCER = "contributions"


class SqlAlchemyUnitOfWork(SqlAlchemyUnitOfWorkBase):
    """One transaction over the contributions schema."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        orm.start_mappers()
        super().__init__(
            session_factory,
            producer=PRODUCER,
            outbox_table=orm.outbox,
            inbox_table=orm.inbox,
            to_contracts=translators.to_contracts,
        )

    def _enter_repositories(self, session: AsyncSession) -> None:
        self.contributions = SqlAlchemyContributionRepository(session)
        self.members = SqlAlchemyMemberReplicaRepository(session)
        self.periods = SqlAlchemyPeriodReplicaRepository(session)
        self.idempotency = SqlAlchemyIdempotencyKeys(session)
        self.lookups = SqlAlchemySubmissionLookups(session)

    async def commit(self) -> None:
        """New contributions, their first revision and the outbox rows go in one statement; else as the base."""
        new, self.contributions.new = self.contributions.new, []
        if not new:
            await super().commit()
            return
        rows = self.take_outbox_rows()
        connection = await self.session.connection()
        await connection.execute(*insert_new(new, rows))
        await self.session.commit()
