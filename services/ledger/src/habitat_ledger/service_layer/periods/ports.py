"""The periods slice's port: the period calendar and what the lock date is read from."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Protocol

from habitat_ledger.domain.periods.period import Period
from habitat_ledger.service_layer.ports import UnitOfWork


class PeriodRepository(Protocol):
    """Stores periods; overlap and name checks for friendly errors (the database enforces both)."""

    async def add(self, period: Period) -> None: ...
    async def get(self, period_id: uuid.UUID, *, for_update: bool = False) -> Period | None: ...
    async def list(self) -> list[Period]: ...
    async def find_by_name(self, name: str) -> Period | None: ...
    async def find_overlapping(self, starts_on: date, ends_on: date) -> Period | None: ...


class IssuedYears(Protocol):
    """The years whose K-1s were issued: all the lock needs of the exports slice's K1IssueRepository."""

    async def issued_years(self) -> list[int]: ...


class PeriodsUnitOfWork(UnitOfWork, Protocol):
    """What reading the lock needs: the periods and the issued K-1 years."""

    periods: PeriodRepository
    k1_issues: IssuedYears
