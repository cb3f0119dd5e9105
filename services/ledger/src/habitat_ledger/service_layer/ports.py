"""Ports: what the use cases need from persistence, as Protocols the adapters implement."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol, Self

from habitat_common.csv_stream import ProblemLog

from habitat_ledger.domain.allocation_posting import AllocationEntry, CashSchedule
from habitat_ledger.domain.capital_import import ImportSummary, OpeningBalanceRow, PlannedRow
from habitat_ledger.domain.contribution import PatronageRows
from habitat_ledger.domain.distribution import Distribution
from habitat_ledger.domain.hledger import Entry
from habitat_ledger.domain.integrity import CheckResult, ContributionTotal
from habitat_ledger.domain.journal import (
    Account,
    AccountRef,
    Basis,
    JournalTransaction,
    SourceType,
)
from habitat_ledger.domain.journal_rows import JournalRows
from habitat_ledger.domain.k1 import K1Figures
from habitat_ledger.domain.k1_issue import IssuedEnding, K1Issue
from habitat_ledger.domain.lock import Lock
from habitat_ledger.domain.member import MemberReplica
from habitat_ledger.domain.money_move import MoneyMove, MoneyMoveKind
from habitat_ledger.domain.opening_balance import OpeningChange
from habitat_ledger.domain.pending import PendingEvent
from habitat_ledger.domain.period import Period
from habitat_ledger.domain.proposal import Allocation, Approval, PatronageSnapshot
from habitat_ledger.domain.seal import PeriodSeal, Reconciliation
from habitat_ledger.domain.statement import CapitalMovement


@dataclass(frozen=True)
class PostingSums:
    """Signed sums of an account's postings per basis, and the date of its latest transaction."""

    by_basis: dict[Basis, Decimal]
    last_occurred_on: date | None


@dataclass(frozen=True)
class PatronageTotal:
    """Approved contributions of one member and type in a period: how many and their value."""

    member_id: uuid.UUID
    type: str
    count: int
    value: Decimal


class PeriodRepository(Protocol):
    """Stores periods; overlap and name checks for friendly errors (the database enforces both)."""

    async def add(self, period: Period) -> None: ...
    async def get(self, period_id: uuid.UUID, *, for_update: bool = False) -> Period | None: ...
    async def list(self) -> list[Period]: ...
    async def find_by_name(self, name: str) -> Period | None: ...
    async def find_overlapping(self, starts_on: date, ends_on: date) -> Period | None: ...


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
    async def capital_movements(
        self, member_id: uuid.UUID, as_of: date | None, last: int | None = None
    ) -> list[CapitalMovement]:
        """The member's capital movements in journal order; with last, only the latest that many."""
        ...
    async def capital_by_member(self, as_of: date) -> dict[uuid.UUID, tuple[Decimal, Decimal]]:
        """Each member's capital (book, tax), credit-positive, from postings dated on or before as_of."""
        ...
    async def k1_figures(self, year: int) -> K1Figures: ...
    async def kept_year(self, year: int) -> bool:
        """Whether the year has member capital activity other than opening balances carried in."""
        ...
    async def entries(self, basis: Basis) -> list[Entry]: ...


class PatronageRepository(Protocol):
    """One patronage record per approved contribution (written by ContributionBatchRepository)."""

    async def totals(self, period_id: uuid.UUID) -> list[PatronageTotal]: ...
    async def count(self, period_id: uuid.UUID) -> int: ...
    async def snapshot(self, period_id: uuid.UUID) -> PatronageSnapshot:
        """The period's rows grouped by member and type, with an id digest, and the highest seq seen."""
        ...

    async def added_after(self, period_id: uuid.UUID, through_seq: int | None) -> bool:
        """Whether the period has a row numbered after through_seq (any row, when None)."""
        ...

    async def contribution_ids(self, period_id: uuid.UUID, through_seq: int | None) -> list[uuid.UUID]:
        """The ids behind a calculation record: the period's rows numbered up to through_seq."""
        ...


class AllocationPostingRepository(Protocol):
    """What posting an allocation writes, from its stored rows, set-based however many members."""

    async def post_entries(self, entry: AllocationEntry) -> int:
        """The allocation's journal transaction; returns how many members were credited."""
        ...

    async def schedule_cash(self, schedule: CashSchedule) -> tuple[int, Decimal]:
        """A scheduled distribution per member with a cash portion; returns (count, total)."""
        ...


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


class SealRepository(Protocol):
    async def save(self, seal: PeriodSeal) -> None: ...
    async def pending_count_of(self, period_id: uuid.UUID) -> int | None:
        """The undecided count of the seal held for the period; None when none arrived yet."""
    async def reconciliation(self, period_id: uuid.UUID) -> Reconciliation:
        """domain.seal.reconcile() of the period's patronage totals with its seal."""


class AllocationRepository(Protocol):
    """Calculation records: head, rows and approvals (rows may be left out where not needed)."""

    async def add(self, allocation: Allocation) -> None: ...
    async def get(
        self, allocation_id: uuid.UUID, *, for_update: bool = False, with_rows: bool = True
    ) -> Allocation | None: ...
    async def active_for_period(self, period_id: uuid.UUID) -> Allocation | None: ...
    async def ids_for_period(self, period_id: uuid.UUID) -> list[uuid.UUID]: ...
    async def add_approval(self, allocation: Allocation, approval: Approval) -> None: ...
    async def update_status(self, allocation: Allocation) -> None: ...


class DistributionRepository(Protocol):
    async def add(self, distribution: Distribution) -> None: ...
    async def get(self, distribution_id: uuid.UUID, *, for_update: bool = False) -> Distribution | None: ...
    async def list(self, member_id: uuid.UUID | None, status: str | None) -> list[Distribution]: ...


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


class MoneyMoveRepository(Protocol):
    """Money moves waiting for, or done with, a second admin: head and approvals."""

    async def add(self, move: MoneyMove) -> None: ...
    async def get(self, move_id: uuid.UUID, *, for_update: bool = False) -> MoneyMove | None: ...
    async def open_for(self, kind: MoneyMoveKind, target_id: uuid.UUID) -> MoneyMove | None:
        """The requested (undecided) move of this kind on this target, if any."""
        ...
    async def list(self, status: str | None) -> list[MoneyMove]: ...
    async def add_approval(self, move: MoneyMove, approval: Approval) -> None: ...
    async def update_status(self, move: MoneyMove) -> None: ...


class K1IssueRepository(Protocol):
    """Years whose K-1s were issued; each is locked like a closed period."""

    async def issued_years(self) -> list[int]: ...
    async def claim(self, issue: K1Issue) -> bool:
        """Record the year as issued; False when it already was (a concurrent claim waits for the first)."""
        ...
    async def add_endings(self, year: int, endings: list[IssuedEnding]) -> None: ...
    async def get(self, year: int) -> K1Issue | None: ...


class IntegrityRepository(Protocol):
    """Checks computed in SQL over the raw tables, not through the repositories they check."""

    async def run_checks(self) -> list[CheckResult]:
        """Every check, in one statement: one snapshot of the ledger."""
        ...
    async def contribution_totals(self) -> list[ContributionTotal]: ...


class UnitOfWork(Protocol):
    """One atomic unit: state changes, new outbox rows and inbox claims commit together."""

    periods: PeriodRepository
    accounts: AccountRepository
    journal: JournalRepository
    patronage: PatronageRepository
    members: MemberRepository
    pending: PendingEventRepository
    seals: SealRepository
    allocations: AllocationRepository
    allocation_postings: AllocationPostingRepository
    distributions: DistributionRepository
    journal_rows: JournalRowsWriter
    contribution_batches: ContributionBatchRepository
    capital_imports: CapitalImportRepository
    integrity: IntegrityRepository
    k1_issues: K1IssueRepository
    money_moves: MoneyMoveRepository
    events: list[object]

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
    async def claim_event(self, consumer: str, event_id: uuid.UUID) -> bool: ...
    async def claim_events(self, consumer: str, event_ids: list[uuid.UUID]) -> set[uuid.UUID]: ...
