"""The SQLAlchemy unit of work: repositories on one session, events to the outbox on commit."""

from __future__ import annotations

from habitat_common.db import SqlAlchemyUnitOfWorkBase
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from habitat_identity.adapters import orm, translators
from habitat_identity.adapters.feeds import SqlAlchemyLoginThrottles, SqlAlchemyRevocationFeed
from habitat_identity.adapters.integrity import SqlAlchemyIntegrityChecks
from habitat_identity.adapters.password_tokens import SqlAlchemyPasswordTokenRepository
from habitat_identity.adapters.repositories import (
    SqlAlchemyAuditLog,
    SqlAlchemyMemberRepository,
    SqlAlchemyRefreshTokenRepository,
)
from habitat_identity.domain.errors import EmailTaken

PRODUCER = "identity"


class SqlAlchemyUnitOfWork(SqlAlchemyUnitOfWorkBase):
    """Identity's unit of work; members' new events and staged audit entries commit with the state."""

    members: SqlAlchemyMemberRepository
    refresh_tokens: SqlAlchemyRefreshTokenRepository
    password_tokens: SqlAlchemyPasswordTokenRepository
    audit: SqlAlchemyAuditLog
    revocations: SqlAlchemyRevocationFeed
    throttles: SqlAlchemyLoginThrottles
    integrity: SqlAlchemyIntegrityChecks

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(
            session_factory,
            producer=PRODUCER,
            outbox_table=orm.outbox,
            inbox_table=orm.inbox,
            to_contracts=translators.to_contracts,
        )

    def _enter_repositories(self, session: AsyncSession) -> None:
        self.members = SqlAlchemyMemberRepository(session)
        self.integrity = SqlAlchemyIntegrityChecks(session)
        self.refresh_tokens = SqlAlchemyRefreshTokenRepository(session)
        self.password_tokens = SqlAlchemyPasswordTokenRepository(session)
        self.audit = SqlAlchemyAuditLog(session)
        self.revocations = SqlAlchemyRevocationFeed(session)
        self.throttles = SqlAlchemyLoginThrottles(session)

    async def commit(self) -> None:
        for member in self.members.seen:
            self.events.extend(member.events)
            member.events = []
        try:
            await self.session.flush()
            await self.audit.flush()
            await self.revocations.flush()
            await super().commit()
        except IntegrityError as error:
            await self.session.rollback()
            if "uq_member_email_lower" in str(error.orig):
                raise EmailTaken() from None
            raise
