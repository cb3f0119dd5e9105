"""In-memory implementations of the ports, for unit tests of the use cases."""

from __future__ import annotations

import copy
import dataclasses
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from typing import Self

from habitat_ledger.domain.close.allocation_posting import AllocationEntry, CashSchedule
from habitat_ledger.domain.close.proposal import (
    Allocation,
    Approval,
    ContributionGroup,
    PatronageSnapshot,
    groups_sha256,
)
from habitat_ledger.domain.close.seal import PeriodSeal, Reconciliation, reconcile
from habitat_ledger.domain.distributions.distribution import Distribution, DistributionStatus
from habitat_ledger.domain.distributions.money_move import MoneyMove, MoneyMoveKind, MoneyMoveStatus
from habitat_ledger.domain.exports.hledger import Entry, EntryLine
from habitat_ledger.domain.exports.k1 import CapitalFigure, K1Figures
from habitat_ledger.domain.exports.k1_issue import IssuedEnding, K1Issue
from habitat_ledger.domain.exports.k1_shares import AllocationFigure
from habitat_ledger.domain.journal.contribution import Patronage
from habitat_ledger.domain.journal.member import MemberReplica
from habitat_ledger.domain.journal.pending import UNKNOWN_PERIOD, PendingEvent
from habitat_ledger.domain.journal.statement import CapitalMovement
from habitat_ledger.domain.journal.transactions import (
    Account,
    AccountKind,
    AccountRef,
    Basis,
    JournalTransaction,
    Posting,
    SourceType,
)
from habitat_ledger.domain.periods.period import Period
from habitat_ledger.service_layer.close.ports import PatronageTotal
from habitat_ledger.service_layer.journal.ports import PostingSums


class FakePeriods:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Period] = {}

    async def add(self, period: Period) -> None:
        self.rows[period.id] = period

    async def get(self, period_id: uuid.UUID, *, for_update: bool = False) -> Period | None:
        return self.rows.get(period_id)

    async def list(self) -> list[Period]:
        return sorted(self.rows.values(), key=lambda p: p.starts_on)

    async def find_by_name(self, name: str) -> Period | None:
        return next((p for p in self.rows.values() if p.name == name), None)

    async def find_overlapping(self, starts_on: date, ends_on: date) -> Period | None:
        return next((p for p in self.rows.values() if p.overlaps(starts_on, ends_on)), None)


class FakeAccounts:
    def __init__(self) -> None:
        self.by_code: dict[str, Account] = {}

    async def ensure(self, ref: AccountRef) -> Account:
        return self.by_code.setdefault(ref.code, Account.from_ref(ref))

    async def lock(self, ref: AccountRef) -> Account:
        return await self.ensure(ref)

    async def ensure_many(self, refs: list[AccountRef]) -> dict[str, Account]:
        return {ref.code: await self.ensure(ref) for ref in refs}

    def by_id(self, account_id: uuid.UUID) -> Account:
        return next(a for a in self.by_code.values() if a.id == account_id)


class FakeJournal:
    def __init__(self, accounts: FakeAccounts) -> None:
        self.transactions: list[JournalTransaction] = []
        self._accounts = accounts

    async def add(self, transaction: JournalTransaction) -> None:
        self.transactions.append(transaction)

    async def get(self, transaction_id: uuid.UUID) -> JournalTransaction | None:
        return next((t for t in self.transactions if t.id == transaction_id), None)

    async def is_reversed(self, transaction_id: uuid.UUID) -> bool:
        return any(t.reverses_id == transaction_id for t in self.transactions)

    async def has_source(self, source_type: SourceType, source_id: uuid.UUID) -> bool:
        return any((t.source_type, t.source_id) == (source_type, source_id) for t in self.transactions)

    def _capital(self, until: date | None):
        """(transaction, account, posting) of member capital postings dated on or before until."""
        for t in sorted(self.transactions, key=lambda t: (t.occurred_on, t.recorded_at)):
            if until is not None and t.occurred_on > until:
                continue
            for p in t.postings:
                account = self._accounts.by_id(p.account_id)
                if account.kind == AccountKind.MEMBER_CAPITAL:
                    yield t, account, p

    async def posting_sums(self, account_code: str, as_of: date | None) -> PostingSums:
        account = self._accounts.by_code.get(account_code)
        sums: dict[Basis, Decimal] = defaultdict(Decimal)
        last = None
        for t in self.transactions:
            if as_of is not None and t.occurred_on > as_of:
                continue
            for p in t.postings:
                if account is not None and p.account_id == account.id:
                    sums[p.basis] += p.amount
                    last = max(last or t.occurred_on, t.occurred_on)
        return PostingSums(dict(sums), last)

    async def capital_movements(
        self, member_id: uuid.UUID, as_of: date | None, last: int | None = None
    ) -> list[CapitalMovement]:
        moves: dict[uuid.UUID, list] = {}
        for t, account, p in self._capital(as_of):
            if account.member_id == member_id:
                entry = moves.setdefault(t.id, [t, Decimal("0.00"), Decimal("0.00")])
                entry[1 if p.basis == Basis.BOOK else 2] -= p.amount
        found = [
            CapitalMovement(t.id, t.occurred_on, str(t.source_type), t.source_id, t.description, book, tax)
            for t, book, tax in moves.values()
        ]
        return found if last is None else found[-last:]

    async def capital_by_member(self, as_of: date) -> dict[uuid.UUID, tuple[Decimal, Decimal]]:
        found: dict[uuid.UUID, list[Decimal]] = {}
        for _, account, p in self._capital(as_of):
            sums = found.setdefault(account.member_id, [Decimal("0.00"), Decimal("0.00")])
            sums[0 if p.basis == Basis.BOOK else 1] -= p.amount
        return {member_id: (book, tax) for member_id, (book, tax) in found.items()}

    def _line(self, transaction: JournalTransaction) -> tuple[str, bool]:
        """The line a transaction lands on (a reversal: its original's), and whether its sign is flipped."""
        flipped = False
        while transaction.source_type == SourceType.REVERSAL and transaction.reverses_id:
            transaction, flipped = next(o for o in self.transactions if o.id == transaction.reverses_id), not flipped
        return str(transaction.source_type), flipped

    def _touches(self, transaction: JournalTransaction, kind: AccountKind) -> bool:
        return any(self._accounts.by_id(p.account_id).kind == kind for p in transaction.postings)

    async def k1_figures(self, year: int) -> K1Figures:
        start, end = date(year, 1, 1), date(year, 12, 31)
        figures: dict[tuple, Decimal] = defaultdict(Decimal)
        endings: dict[tuple, Decimal] = defaultdict(Decimal)
        gains: dict[tuple, Decimal] = defaultdict(Decimal)
        totals: dict[str, Decimal] = defaultdict(Decimal)
        allocations: dict[tuple, Decimal] = defaultdict(Decimal)
        for t, account, p in self._capital(end):
            (line, flipped), credit, inside = self._line(t), -p.amount, t.occurred_on >= start
            figures[(account.member_id, str(p.basis), line, inside)] += credit
            endings[(account.member_id, str(p.basis))] += credit
            totals[str(p.basis)] += credit
            if line == "contribution" and self._touches(t, AccountKind.COOP_PROPERTY):
                gains[(account.member_id, inside)] += credit if p.basis == Basis.BOOK else -credit
            if line == "allocation" and t.occurred_on.year >= year - 1:
                as_profit = (-credit if flipped else credit) > 0
                allocations[(account.member_id, str(p.basis), t.occurred_on.year, as_profit)] += credit
        return K1Figures(
            [CapitalFigure(*k, v) for k, v in figures.items()], dict(endings), dict(gains), dict(totals),
            [AllocationFigure(*k, v) for k, v in allocations.items()],
        )

    async def kept_year(self, year: int) -> bool:
        return any(
            t.occurred_on.year == year and self._line(t)[0] != "opening_balance"
            for t, _, _ in self._capital(date(year, 12, 31))
        )

    async def entries(self, basis: Basis) -> list[Entry]:
        out = []
        for t in sorted(self.transactions, key=lambda t: (t.occurred_on, t.recorded_at)):
            lines = tuple(
                EntryLine(self._accounts.by_id(p.account_id).code, self._accounts.by_id(p.account_id).member_id, p.amount)
                for p in t.postings
                if p.basis == basis
            )
            if lines:
                out.append(Entry(t.id, t.occurred_on, t.description, f"{t.source_type}:{t.source_id}", lines))
        return out


class FakePatronage:
    """Rows numbered in insert order, like the table's seq."""

    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Patronage] = {}
        self.seq: dict[uuid.UUID, int] = {}

    async def add(self, patronage: Patronage) -> None:
        self.rows[patronage.contribution_id] = patronage
        self.seq[patronage.contribution_id] = len(self.seq) + 1

    async def get(self, contribution_id: uuid.UUID) -> Patronage | None:
        return self.rows.get(contribution_id)

    def of(self, period_id: uuid.UUID) -> list[Patronage]:
        return [p for p in self.rows.values() if p.period_id == period_id]

    async def totals(self, period_id: uuid.UUID) -> list[PatronageTotal]:
        sums: dict[tuple, list] = {}
        for p in self.of(period_id):
            entry = sums.setdefault((p.member_id, p.type), [0, Decimal("0.00")])
            entry[0] += 1
            entry[1] += p.value
        return [PatronageTotal(m, t, c, v) for (m, t), (c, v) in sums.items()]

    async def count(self, period_id: uuid.UUID) -> int:
        return len(self.of(period_id))

    async def snapshot(self, period_id: uuid.UUID) -> PatronageSnapshot:
        groups: dict[tuple, list] = {}
        for p in self.of(period_id):
            entry = groups.setdefault((p.member_id, p.type), [0, Decimal("0.00"), 0])
            entry[0] += 1
            entry[1] += p.value
            entry[2] += p.contribution_id.int % 2**64  # any order-free digest will do in memory
        values: dict[uuid.UUID, dict[str, Decimal]] = {}
        for (member, type_), (_, value, _) in sorted(groups.items(), key=lambda group: group[0][1]):
            values.setdefault(member, {})[type_] = value
        through = max((self.seq[p.contribution_id] for p in self.of(period_id)), default=None)
        fingerprint = groups_sha256([ContributionGroup(m, t, c, v, d) for (m, t), (c, v, d) in groups.items()])
        return PatronageSnapshot(through, len(self.of(period_id)), values, fingerprint)

    async def added_after(self, period_id: uuid.UUID, through_seq: int | None) -> bool:
        return any(self.seq[p.contribution_id] > (through_seq or 0) for p in self.of(period_id))

    async def contribution_ids(self, period_id: uuid.UUID, through_seq: int | None) -> list[uuid.UUID]:
        found = [p.contribution_id for p in self.of(period_id) if self.seq[p.contribution_id] <= (through_seq or 0)]
        return sorted(found, key=str)


class FakeMembers:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, MemberReplica] = {}

    async def upsert(self, member: MemberReplica) -> bool:
        known = self.rows.get(member.id)
        if known and known.updated_at >= member.updated_at:
            return False
        self.rows[member.id] = member
        return True

    async def get(self, member_id: uuid.UUID) -> MemberReplica | None:
        return self.rows.get(member_id)

    async def names(self) -> dict[uuid.UUID, str]:
        return {m.id: m.display_name for m in self.rows.values()}

    async def numbers(self) -> dict[uuid.UUID, int]:
        return {m: n for n, m in enumerate(self.rows, start=1)}  # first replicated, first numbered


class FakePending:
    def __init__(self, periods: FakePeriods) -> None:
        self.rows: dict[tuple[str, uuid.UUID], PendingEvent] = {}
        self._periods = periods

    async def add(self, event: PendingEvent) -> None:
        self.rows.setdefault((event.kind, event.key), event)

    async def get(self, kind: str, key: uuid.UUID) -> PendingEvent | None:
        return self.rows.get((kind, key))

    async def unresolved(self) -> list[PendingEvent]:
        return [e for e in self.rows.values() if e.applied_at is None]

    async def waiting_for_known_periods(self, period_id: uuid.UUID | None = None) -> list[PendingEvent]:
        return [
            e
            for e in await self.unresolved()
            if e.reason == UNKNOWN_PERIOD
            and (e.period_id == period_id if period_id else e.period_id in self._periods.rows)
        ]

    async def mark_applied(self, events: list[PendingEvent], at) -> None:
        for event in events:
            self.rows[(event.kind, event.key)].applied_at = at


class FakeSeals:
    """Reconciles with the fake patronage by the domain rule the database's query implements."""

    def __init__(self, patronage: FakePatronage) -> None:
        self.rows: dict[uuid.UUID, PeriodSeal] = {}
        self.patronage = patronage

    async def save(self, seal: PeriodSeal) -> None:
        self.rows[seal.period_id] = seal

    async def pending_count_of(self, period_id: uuid.UUID) -> int | None:
        held = self.rows.get(period_id)
        return None if held is None else held.pending_count

    async def reconciliation(self, period_id: uuid.UUID) -> Reconciliation:
        booked: dict[uuid.UUID, tuple[int, Decimal]] = {}
        for p in self.patronage.of(period_id):
            count, value = booked.get(p.member_id, (0, Decimal("0.00")))
            booked[p.member_id] = (count + 1, value + p.value)
        return reconcile(booked, self.rows.get(period_id))


class FakeAllocations:
    """Stores copies, like a database: a use case that fails midway changes nothing stored."""

    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Allocation] = {}

    async def add(self, allocation: Allocation) -> None:
        self.rows[allocation.id] = copy.deepcopy(allocation)

    async def get(
        self, allocation_id: uuid.UUID, *, for_update: bool = False, with_rows: bool = True
    ) -> Allocation | None:
        found = self.rows.get(allocation_id)
        if found is None:
            return None
        found = copy.deepcopy(found)
        if not with_rows:
            found.rows = []
        return found

    async def active_for_period(self, period_id: uuid.UUID) -> Allocation | None:
        return next(
            (copy.deepcopy(a) for a in self.rows.values() if a.period_id == period_id and a.status != "rejected"), None
        )

    async def ids_for_period(self, period_id: uuid.UUID) -> list[uuid.UUID]:
        found = [a for a in self.rows.values() if a.period_id == period_id]
        return [a.id for a in sorted(found, key=lambda a: a.proposed_at, reverse=True)]

    async def add_approval(self, allocation: Allocation, approval: Approval) -> None:
        self.rows[allocation.id].approvals.append(approval)

    async def update_status(self, allocation: Allocation) -> None:
        stored = self.rows[allocation.id]
        stored.status, stored.rejection, stored.posted_at = allocation.status, allocation.rejection, allocation.posted_at


class FakeAllocationPostings:
    """Posts from the stored record's rows, as the SQL adapter does."""

    def __init__(self, allocations: FakeAllocations, journal: FakeJournal, distributions: FakeDistributions) -> None:
        self._allocations, self._journal, self._distributions = allocations, journal, distributions

    async def post_entries(self, entry: AllocationEntry) -> int:
        rows = [r for r in self._allocations.rows[entry.allocation_id].rows if r.allocation or r.tax_allocation]
        accounts = self._journal._accounts
        surplus = (await accounts.ensure(entry.surplus_account)).id
        capital = await accounts.ensure_many([AccountRef.member_capital(r.member_id) for r in rows])
        result = {Basis.BOOK: entry.surplus, Basis.TAX: entry.tax_surplus}
        postings = [Posting(surplus, basis, result[basis]) for basis in Basis]
        postings += [
            Posting(capital[AccountRef.member_capital(r.member_id).code].id, basis, -amount)
            for r in rows for basis, amount in ((Basis.BOOK, r.allocation), (Basis.TAX, r.tax_allocation)) if amount
        ]
        transaction = JournalTransaction.record(
            source_type=SourceType.ALLOCATION, source_id=entry.allocation_id, occurred_on=entry.occurred_on,
            description=entry.description, postings=postings, now=entry.recorded_at, recorded_by=entry.recorded_by,
        )
        await self._journal.add(transaction)
        return len(rows)

    async def schedule_cash(self, schedule: CashSchedule) -> tuple[int, Decimal]:
        rows = [r for r in self._allocations.rows[schedule.allocation_id].rows if r.cash_portion_amount > 0]
        for row in rows:
            await self._distributions.add(Distribution(
                uuid.uuid4(), row.member_id, row.cash_portion_amount, schedule.method, schedule.scheduled_on,
                DistributionStatus.SCHEDULED, schedule.created_by, schedule.created_at, schedule.allocation_id,
            ))
        return len(rows), sum((r.cash_portion_amount for r in rows), Decimal("0.00"))


class FakeDistributions:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Distribution] = {}

    async def add(self, distribution: Distribution) -> None:
        self.rows[distribution.id] = distribution

    async def get(self, distribution_id: uuid.UUID, *, for_update: bool = False) -> Distribution | None:
        return self.rows.get(distribution_id)

    async def list(self, member_id: uuid.UUID | None, status: str | None) -> list[Distribution]:
        return [
            d for d in self.rows.values()
            if (member_id is None or d.member_id == member_id) and (status is None or d.status == status)
        ]


class FakeK1Issues:
    def __init__(self) -> None:
        self.years: set[int] = set()
        self.issues: dict[int, K1Issue] = {}

    async def issued_years(self) -> list[int]:
        return sorted(self.years | set(self.issues))

    async def claim(self, issue: K1Issue) -> bool:
        if issue.year in self.years or issue.year in self.issues:
            return False
        self.issues[issue.year] = issue
        return True

    async def add_endings(self, year: int, endings: list[IssuedEnding]) -> None:
        self.issues[year] = dataclasses.replace(self.issues[year], endings=tuple(endings))

    async def get(self, year: int) -> K1Issue | None:
        return self.issues.get(year)


class FakeMoneyMoves:
    """Stores copies, like a database."""

    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, MoneyMove] = {}

    async def add(self, move: MoneyMove) -> None:
        self.rows[move.id] = copy.deepcopy(dataclasses.replace(move, approvals=[]))

    async def get(self, move_id: uuid.UUID, *, for_update: bool = False) -> MoneyMove | None:
        return copy.deepcopy(self.rows.get(move_id))

    async def open_for(self, kind: MoneyMoveKind, target_id: uuid.UUID) -> MoneyMove | None:
        return next(
            (copy.deepcopy(m) for m in self.rows.values()
             if (m.kind, m.target_id, m.status) == (kind, target_id, MoneyMoveStatus.REQUESTED)), None,
        )

    async def list(self, status: str | None) -> list[MoneyMove]:
        found = [m for m in self.rows.values() if status is None or m.status == status]
        return [copy.deepcopy(m) for m in sorted(found, key=lambda m: m.requested_at, reverse=True)]

    async def add_approval(self, move: MoneyMove, approval: Approval) -> None:
        self.rows[move.id].approvals.append(approval)

    async def update_status(self, move: MoneyMove) -> None:
        stored = self.rows[move.id]
        stored.status, stored.rejection, stored.executed_at, stored.result_id = (
            move.status, move.rejection, move.executed_at, move.result_id,
        )


class FakeContributionBatches:
    """The batch path's reads and writes over the same fakes the single path uses."""

    def __init__(self, patronage: FakePatronage, pending: FakePending, periods: FakePeriods) -> None:
        self._patronage, self._pending, self._periods = patronage, pending, periods

    async def recorded(self, contribution_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        return {c for c in contribution_ids if c in self._patronage.rows or ("contribution_approved", c) in self._pending.rows}

    async def period_locks(self, period_ids: set[uuid.UUID]) -> dict[uuid.UUID, bool]:
        return {p: self._periods.rows[p].is_locked for p in period_ids if p in self._periods.rows}

    async def add_patronage(self, rows) -> None:
        for i, contribution_id in enumerate(rows.contribution_ids):
            await self._patronage.add(Patronage(contribution_id, rows.member_ids[i], rows.period_ids[i], rows.types[i],
                                                rows.values[i], rows.recorded_at, rows.corrects_contribution_ids[i]))

    async def add_pending(self, events: list[PendingEvent]) -> None:
        for event in events:
            await self._pending.add(event)


class FakeJournalRows:
    """JournalRows written as the journal's transactions, one per row."""

    def __init__(self, accounts: FakeAccounts, journal: FakeJournal) -> None:
        self._accounts, self._journal = accounts, journal

    async def add_rows(self, rows) -> None:
        accounts = await self._accounts.ensure_many(list(rows.accounts.values()))
        for i, transaction_id in enumerate(rows.ids):
            postings = [
                Posting(accounts[rows.posting_account[j]].id, rows.posting_basis[j], rows.posting_amount[j])
                for j, owner in enumerate(rows.posting_transaction) if owner == transaction_id
            ]
            transaction = JournalTransaction.record(
                source_type=SourceType(rows.source_types[i]), source_id=rows.source_ids[i],
                occurred_on=rows.occurred_on[i], description=rows.descriptions[i], postings=postings,
                now=rows.recorded_at, reverses_id=rows.reverses_ids[i], member_id=rows.member_ids[i],
                recorded_by=rows.recorded_by,
            )
            await self._journal.add(dataclasses.replace(transaction, id=transaction_id))


class FakeUnitOfWork:
    """Keeps state across `async with` blocks, like a database; records what was committed."""

    def __init__(self) -> None:
        self.periods = FakePeriods()
        self.accounts = FakeAccounts()
        self.journal = FakeJournal(self.accounts)
        self.patronage = FakePatronage()
        self.members = FakeMembers()
        self.pending = FakePending(self.periods)
        self.seals = FakeSeals(self.patronage)
        self.allocations = FakeAllocations()
        self.distributions = FakeDistributions()
        self.allocation_postings = FakeAllocationPostings(self.allocations, self.journal, self.distributions)
        self.k1_issues = FakeK1Issues()
        self.money_moves = FakeMoneyMoves()
        self.contribution_batches = FakeContributionBatches(self.patronage, self.pending, self.periods)
        self.journal_rows = FakeJournalRows(self.accounts, self.journal)
        self.events: list[object] = []
        self.published: list[object] = []
        self.claims: set[tuple[str, uuid.UUID]] = set()
        self.commits = 0

    def with_period(
        self, period_id: uuid.UUID | None = None, starts_on: date = date(2026, 1, 1), ends_on: date = date(2026, 3, 31)
    ) -> Self:
        """A fake holding one open period (the builders' default period id unless given)."""
        from datetime import UTC, datetime

        from tests.ledger_builders import DEFAULT_PERIOD_ID

        period = Period.open(name=f"P{starts_on}", starts_on=starts_on, ends_on=ends_on, created_by=uuid.uuid4(),
                             now=datetime.now(UTC))
        period.id = period_id or DEFAULT_PERIOD_ID
        self.periods.rows[period.id] = period
        return self

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.events = []

    async def commit(self) -> None:
        self.published += self.events
        self.events = []
        self.commits += 1

    async def rollback(self) -> None:
        self.events = []

    async def claim_event(self, consumer: str, event_id: uuid.UUID) -> bool:
        if (consumer, event_id) in self.claims:
            return False
        self.claims.add((consumer, event_id))
        return True

    async def claim_events(self, consumer: str, event_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        return {event_id for event_id in event_ids if await self.claim_event(consumer, event_id)}


class FakeStatementReads:
    """The capital statement's read port over a fake unit of work's journal and members (its snapshot is the
    fake's state: nothing commits while a use case reads)."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Self]:
        yield self

    async def capital_movements(self, member_id: uuid.UUID, as_of: date, last: int | None) -> list[CapitalMovement]:
        return await self._uow.journal.capital_movements(member_id, as_of, last)

    async def posting_sums(self, account_code: str, as_of: date) -> PostingSums:
        return await self._uow.journal.posting_sums(account_code, as_of)

    async def display_name(self, member_id: uuid.UUID) -> str | None:
        member = await self._uow.members.get(member_id)
        return member.display_name if member else None


async def opening_balance(uow: FakeUnitOfWork, member_id: uuid.UUID, amount: str, on: date = date(2025, 12, 31)):
    """A member's opening balance on both bases, booked as the capital accounts import books it."""
    from datetime import UTC, datetime

    from habitat_ledger.domain.journal.opening_balance import OpeningBalance

    balance = OpeningBalance(member_id, Decimal(amount), Decimal(amount), on)
    accounts = await uow.accounts.ensure_many([leg.account for leg in balance.legs()])
    transaction = JournalTransaction.record(
        source_type=SourceType.OPENING_BALANCE, source_id=uuid.uuid4(), occurred_on=on,
        description=balance.description, now=datetime.now(UTC), member_id=member_id,
        postings=[Posting(accounts[leg.account.code].id, leg.basis, leg.amount) for leg in balance.legs()],
    )
    await uow.journal.add(transaction)
    return transaction
