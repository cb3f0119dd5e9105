"""The SQLAlchemy unit of work of the notifications schema."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from habitat_common.db import SqlAlchemyUnitOfWorkBase
from habitat_notifications.adapters import orm
from habitat_notifications.adapters.repositories import (
    SqlAlchemyContributionReplicaRepository,
    SqlAlchemyMemberReplicaRepository,
    SqlAlchemyMessageRepository,
    SqlAlchemyPeriodReplicaRepository,
    SqlAlchemyPreferenceRepository,
    SqlAlchemyReminderRuns,
)

PRODUCER = "notifications"


def _no_contracts(_: object) -> tuple:
    # nothing is published yet: the outbox is there for "mail sent / failed" events to come
    return ()


class SqlAlchemyUnitOfWork(SqlAlchemyUnitOfWorkBase):
    """One transaction over the notifications schema."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        orm.start_mappers()
        super().__init__(
            session_factory,
            producer=PRODUCER,
            outbox_table=orm.outbox,
            inbox_table=orm.inbox,
            to_contracts=_no_contracts,
        )

    def _enter_repositories(self, session: AsyncSession) -> None:
        self.members = SqlAlchemyMemberReplicaRepository(session)
        self.preferences = SqlAlchemyPreferenceRepository(session)
        self.messages = SqlAlchemyMessageRepository(session)
        self.periods = SqlAlchemyPeriodReplicaRepository(session)
        self.contributions = SqlAlchemyContributionReplicaRepository(session)
        self.runs = SqlAlchemyReminderRuns(session)
