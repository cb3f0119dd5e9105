"""In-memory implementations of the ports, for unit tests of the use cases."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Self

from habitat_ledger.domain.contribution import Patronage
from habitat_ledger.domain.journal import Account, AccountRef, Basis, JournalTransaction, SourceType
from habitat_ledger.domain.period import Period
from habitat_ledger.service_layer.ports import PostingSums


class FakePeriods:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Period] = {}

    async def add(self, period: Period) -> None:
        self.rows[period.id] = period

    async def get(self, period_id: uuid.UUID) -> Period | None:
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


class FakeJournal:
    def __init__(self, accounts: FakeAccounts) -> None:
        self.transactions: list[JournalTransaction] = []
        self._accounts = accounts

    async def add(self, transaction: JournalTransaction) -> None:
        self.transactions.append(transaction)

    async def has_source(self, source_type: SourceType, source_id: uuid.UUID) -> bool:
        return any((t.source_type, t.source_id) == (source_type, source_id) for t in self.transactions)

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


class FakePatronage:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Patronage] = {}

    async def add(self, patronage: Patronage) -> None:
        self.rows[patronage.contribution_id] = patronage

    async def get(self, contribution_id: uuid.UUID) -> Patronage | None:
        return self.rows.get(contribution_id)


class FakeUnitOfWork:
    """Keeps state across `async with` blocks, like a database; records what was committed."""

    def __init__(self) -> None:
        self.periods = FakePeriods()
        self.accounts = FakeAccounts()
        self.journal = FakeJournal(self.accounts)
        self.patronage = FakePatronage()
        self.events: list[object] = []
        self.published: list[object] = []
        self.claims: set[tuple[str, uuid.UUID]] = set()
        self.commits = 0

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
