"""Reading the lock in force, for the use cases that post dated entries or open periods."""

from __future__ import annotations

from datetime import date

from habitat_ledger.domain.periods.lock import Lock, ensure_after_lock, lock_of
from habitat_ledger.service_layer.periods.ports import PeriodsUnitOfWork


async def current_lock(uow: PeriodsUnitOfWork) -> Lock | None:
    """The lock from the periods and issued K-1 years, inside the caller's unit of work."""
    return lock_of(await uow.periods.list(), await uow.k1_issues.issued_years())


async def ensure_open_date(day: date, uow: PeriodsUnitOfWork, what: str = "A booking") -> None:
    """Refuse (PeriodLocked) a booking dated on or before the lock date."""
    ensure_after_lock(day, await current_lock(uow), what)
