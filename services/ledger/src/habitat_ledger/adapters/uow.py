"""The SQLAlchemy unit of work: repositories on one session; outbox rows written on commit."""

from __future__ import annotations

from habitat_common.db import SqlAlchemyUnitOfWorkBase
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from habitat_ledger.adapters import translators
from habitat_ledger.adapters.orm import inbox, outbox, start_mappers
from habitat_ledger.adapters.repositories import (
    SqlAlchemyAccountRepository,
    SqlAlchemyJournalRepository,
    SqlAlchemyPatronageRepository,
    SqlAlchemyPeriodRepository,
)
from habitat_ledger.domain.errors import LedgerError, PeriodNameTaken, PeriodOverlap

# A race past the service's friendly checks still ends in the same friendly error.
CONSTRAINT_ERRORS: dict[str, type[LedgerError]] = {
    "period_no_overlap": PeriodOverlap,
    "uq_period_name": PeriodNameTaken,
}


def constraint_name(error: IntegrityError) -> str | None:
    cause = getattr(error.orig, "__cause__", None)
    return getattr(cause, "constraint_name", None) or getattr(error.orig, "constraint_name", None)


class SqlAlchemyUnitOfWork(SqlAlchemyUnitOfWorkBase):
    """The ledger's unit of work over the `ledger` schema."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        start_mappers()
        super().__init__(
            session_factory,
            producer="ledger",
            outbox_table=outbox,
            inbox_table=inbox,
            to_contracts=translators.to_contracts,
        )

    def _enter_repositories(self, session: AsyncSession) -> None:
        self.periods = SqlAlchemyPeriodRepository(session)
        self.accounts = SqlAlchemyAccountRepository(session)
        self.journal = SqlAlchemyJournalRepository(session)
        self.patronage = SqlAlchemyPatronageRepository(session)


    async def commit(self) -> None:
        try:
            await super().commit()
        except IntegrityError as error:
            known = CONSTRAINT_ERRORS.get(constraint_name(error) or "")
            if known is None:
                raise
            raise known("The change conflicts with a period recorded at the same time.") from error
