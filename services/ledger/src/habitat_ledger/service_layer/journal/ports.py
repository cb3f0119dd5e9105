"""The journal slice's port: journal and accounts, members, contributions booked, capital imports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from habitat_common.csv_stream import ProblemLog

from habitat_ledger.domain.journal.capital_import import ImportSummary, OpeningBalanceRow, PlannedRow
from habitat_ledger.domain.journal.contribution import PatronageRows
from habitat_ledger.domain.journal.journal_rows import JournalRows
from habitat_ledger.domain.journal.member import MemberReplica
from habitat_ledger.domain.journal.opening_balance import OpeningChange
from habitat_ledger.domain.journal.pending import PendingEvent
from habitat_ledger.domain.journal.transactions import (
    Account,
    AccountRef,
    Basis,
    JournalTransaction,
    SourceType,
)
from habitat_ledger.domain.periods.lock import Lock
from habitat_ledger.service_layer.periods.ports import PeriodsUnitOfWork


@dataclass(frozen=True)
class PostingSums:
    """Signed sums of an account's postings per basis, and the date of its latest transaction."""

    by_basis: dict[Basis, Decimal]
    last_occurred_on: date | None


class AccountRepository(Protocol):
    """Accounts, created on first use by their natural key (code)."""

    async def ensure(self, ref: AccountRef) -> Account: ...
    async def lock(self, ref: AccountRef) -> Account:
        """Ensure the account and hold it until the unit of work ends (balance checks before a debit)."""
        ...
    async def ensure_many(self, refs: list[AccountRef]) -> dict[str, Account]: ...


class JournalRepository(Protocol):
    """Append-only journal transactions and what is read from their postings."""

    async def add(self, transaction: JournalTransaction) -> None: ...
    async def get(self, transaction_id: uuid.UUID) -> JournalTransaction | None: ...
    async def is_reversed(self, transaction_id: uuid.UUID) -> bool: ...
    async def has_source(self, source_type: SourceType, source_id: uuid.UUID) -> bool: ...
    async def posting_sums(self, account_code: str, as_of: date | None) -> PostingSums: ...


class MemberRepository(Protocol):
    """The member replica, fed by identity's events."""

    async def upsert(self, member: MemberReplica) -> bool: ...
    async def get(self, member_id: uuid.UUID) -> MemberReplica | None: ...
    async def names(self) -> dict[uuid.UUID, str]: ...
    async def numbers(self) -> dict[uuid.UUID, int]:
        """Every member's stable number (the journal names capital accounts by it)."""
        ...


class PendingEventRepository(Protocol):
    """Events kept until they can take effect, or for an admin to resolve (set aside by ContributionBatchRepository)."""

    async def unresolved(self) -> list[PendingEvent]: ...
    async def waiting_for_known_periods(self, period_id: uuid.UUID | None = None) -> list[PendingEvent]: ...
    async def mark_applied(self, events: list[PendingEvent], at: datetime) -> None: ...


class JournalRowsWriter(Protocol):
    """Many transactions of many sources written set-based: a statement per table, arrays in."""

    async def add_rows(self, rows: JournalRows) -> None: ...


class ContributionBatchRepository(Protocol):
    """Set-based reads and writes of a batch of approved contributions."""

    async def recorded(self, contribution_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """Those already booked (patronage) or set aside (pending event)."""
        ...
    async def period_locks(self, period_ids: set[uuid.UUID]) -> dict[uuid.UUID, bool]:
        """Known periods → closed?; held FOR SHARE, so none closes before this unit of work commits."""
        ...
    async def add_patronage(self, rows: PatronageRows) -> None: ...
    async def add_pending(self, events: list[PendingEvent]) -> None: ...


@dataclass(frozen=True)
class CapitalImportRun:
    """Who ran a capital accounts import that changed the ledger, when, and what it did."""

    id: uuid.UUID
    by: uuid.UUID
    at: datetime
    summary: ImportSummary


class CapitalImportRepository(Protocol):
    """One capital accounts import inside one transaction: rows staged, then checked and planned in SQL.

    The checks answer the first problems (by line) and their count; columns maps each field to
    its 1-based column in the file.
    """

    async def start(self) -> None: ...
    async def stage(self, rows: list[OpeningBalanceRow]) -> None: ...
    async def unknown_members(self, columns: dict[str, int]) -> ProblemLog: ...
    async def plan(self, *, exclusive: bool) -> None:
        """Each row with its member and opening balance in force, and its action; exclusive serialises imports."""
        ...
    async def rule_breaches(self, today: date, lock: Lock | None, columns: dict[str, int]) -> ProblemLog:
        """Future dates, and changes dated on or before the lock date (or replacing a balance dated so)."""
        ...
    async def repeated_members(self, columns: dict[str, int]) -> ProblemLog: ...
    async def summary(self) -> ImportSummary: ...
    async def sample(self, limit: int) -> list[PlannedRow]: ...
    async def changes(self) -> list[OpeningChange]: ...
    async def record(self, run: CapitalImportRun) -> None: ...
    async def staged_sha256(self) -> str:
        """sha256 hex of the staged rows in line order: what a money move's approvers approve."""
        ...
    async def keep(self, move_id: uuid.UUID) -> None:
        """Store the staged rows with a money move."""
        ...
    async def restage(self, move_id: uuid.UUID) -> None:
        """Stage the rows kept with a money move again."""
        ...


class JournalUnitOfWork(PeriodsUnitOfWork, Protocol):
    """What booking into the journal needs, the lock included (a booking is dated)."""

    journal: JournalRepository
    members: MemberRepository
    pending: PendingEventRepository
    journal_rows: JournalRowsWriter
    contribution_batches: ContributionBatchRepository
    capital_imports: CapitalImportRepository
