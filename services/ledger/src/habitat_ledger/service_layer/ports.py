"""Ports: what the use cases need from persistence, as Protocols the adapters implement."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol, Self

from habitat_ledger.domain.contribution import Patronage
from habitat_ledger.domain.journal import Account, AccountRef, Basis, JournalTransaction, SourceType
from habitat_ledger.domain.period import Period


@dataclass(frozen=True)
class PostingSums:
    """Signed sums of an account's postings per basis, and the date of its latest transaction."""

    by_basis: dict[Basis, Decimal]
    last_occurred_on: date | None


class PeriodRepository(Protocol):
    """Stores periods; overlap and name checks for friendly errors (the database enforces both)."""

    async def add(self, period: Period) -> None: ...
    async def get(self, period_id: uuid.UUID) -> Period | None: ...
    async def list(self) -> list[Period]: ...
    async def find_by_name(self, name: str) -> Period | None: ...
    async def find_overlapping(self, starts_on: date, ends_on: date) -> Period | None: ...


class AccountRepository(Protocol):
    """Accounts, created on first use by their natural key (code)."""

    async def ensure(self, ref: AccountRef) -> Account: ...


class JournalRepository(Protocol):
    """Append-only journal transactions and the sums of their postings."""

    async def add(self, transaction: JournalTransaction) -> None: ...
    async def has_source(self, source_type: SourceType, source_id: uuid.UUID) -> bool: ...
    async def posting_sums(self, account_code: str, as_of: date | None) -> PostingSums: ...


class PatronageRepository(Protocol):
    """One patronage record per approved contribution."""

    async def add(self, patronage: Patronage) -> None: ...
    async def get(self, contribution_id: uuid.UUID) -> Patronage | None: ...


class UnitOfWork(Protocol):
    """One atomic unit: state changes, new outbox rows and inbox claims commit together."""

    periods: PeriodRepository
    accounts: AccountRepository
    journal: JournalRepository
    patronage: PatronageRepository
    events: list[object]

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
    async def claim_event(self, consumer: str, event_id: uuid.UUID) -> bool: ...
