"""The SQLAlchemy unit of work: repositories on one session; outbox rows written on commit."""

from __future__ import annotations

from habitat_common.db import SqlAlchemyUnitOfWorkBase
from habitat_common.metrics import ALLOCATIONS_POSTED, DISTRIBUTIONS_POSTED
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from habitat_ledger.adapters import translators
from habitat_ledger.adapters.allocation_postings import SqlAlchemyAllocationPostingRepository
from habitat_ledger.adapters.allocation_repository import SqlAlchemyAllocationRepository
from habitat_ledger.adapters.batch_repositories import (
    SqlAlchemyContributionBatchRepository,
    SqlAlchemyJournalRowsWriter,
)
from habitat_ledger.adapters.capital_import_repository import SqlAlchemyCapitalImportRepository
from habitat_ledger.adapters.distribution_repository import SqlAlchemyDistributionRepository
from habitat_ledger.adapters.integrity_repository import SqlAlchemyIntegrityRepository
from habitat_ledger.adapters.journal_repository import SqlAlchemyJournalRepository
from habitat_ledger.adapters.k1_issue_repository import SqlAlchemyK1IssueRepository
from habitat_ledger.adapters.member_repository import SqlAlchemyMemberRepository
from habitat_ledger.adapters.money_move_repository import SqlAlchemyMoneyMoveRepository
from habitat_ledger.adapters.orm import inbox, outbox, start_mappers
from habitat_ledger.adapters.pending_event_repository import SqlAlchemyPendingEventRepository
from habitat_ledger.adapters.repositories import (
    SqlAlchemyAccountRepository,
    SqlAlchemyPatronageRepository,
    SqlAlchemyPeriodRepository,
)
from habitat_ledger.adapters.seal_repository import SqlAlchemySealRepository
from habitat_ledger.domain.errors import (
    AlreadyReversed,
    LedgerError,
    MoneyMovePending,
    PeriodNameTaken,
    PeriodOverlap,
    ProposalPending,
)
from habitat_ledger.domain.events import AllocationPosted, DistributionCompleted

# A race past the service's friendly checks still ends in the same friendly error.
CONSTRAINT_ERRORS: dict[str, type[LedgerError]] = {
    "period_no_overlap": PeriodOverlap,
    "uq_period_name": PeriodNameTaken,
    "uq_allocation_one_active_per_period": ProposalPending,
    "uq_journal_transaction_reverses_id": AlreadyReversed,
    "uq_money_move_one_open_per_target": MoneyMovePending,
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
        self.members = SqlAlchemyMemberRepository(session)
        self.pending = SqlAlchemyPendingEventRepository(session)
        self.seals = SqlAlchemySealRepository(session)
        self.allocation_postings = SqlAlchemyAllocationPostingRepository(session)
        self.allocations = SqlAlchemyAllocationRepository(session)
        self.distributions = SqlAlchemyDistributionRepository(session)
        self.journal_rows = SqlAlchemyJournalRowsWriter(session)
        self.contribution_batches = SqlAlchemyContributionBatchRepository(session, flush=self._flush)
        self.capital_imports = SqlAlchemyCapitalImportRepository(session)
        self.integrity = SqlAlchemyIntegrityRepository(session)
        self.k1_issues = SqlAlchemyK1IssueRepository(session)
        self.money_moves = SqlAlchemyMoneyMoveRepository(session)

    async def commit(self) -> None:
        """Commit, then count the allocations and distributions this transaction posted (whichever use case
        posted them: an allocation's post, a distribution's completion, a money move's approval)."""
        allocations = sum(isinstance(event, AllocationPosted) for event in self.events)
        distributions = sum(isinstance(event, DistributionCompleted) for event in self.events)
        try:
            await super().commit()
        except IntegrityError as error:
            _raise_friendly(error)
        ALLOCATIONS_POSTED.inc(allocations)
        DISTRIBUTIONS_POSTED.inc(distributions)

    async def _flush(self) -> None:
        """Write the objects added so far, with commit's friendly errors (for a set-based insert that references one)."""
        try:
            await self.session.flush()
        except IntegrityError as error:
            _raise_friendly(error)


def _raise_friendly(error: IntegrityError) -> None:
    known = CONSTRAINT_ERRORS.get(constraint_name(error) or "")
    if known is None:
        raise error
    raise known("The change conflicts with another one recorded at the same time.") from error
