"""Closed means closed: the lock date, on or before which nothing more is booked.

The lock date is the later of the end of the latest closed period and December 31 of the latest
year whose K-1s were issued; a gap between periods, or a day before the first closed one, is
locked as well, since a booking there would change figures already reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from habitat_ledger.domain.errors import PeriodBeforeLock, PeriodLocked
from habitat_ledger.domain.periods.period import Period


@dataclass(frozen=True)
class Lock:
    """The lock date and, in words, what set it."""

    through: date
    because: str


def lock_of(periods: Iterable[Period], issued_years: Iterable[int]) -> Lock | None:
    """The lock in force, or None while no period is closed and no K-1 year issued."""
    # issued years first: on a tie max() keeps the first, and an issued year is the stronger reason
    locks = [Lock(date(year, 12, 31), f"the end of {year}, whose K-1s were issued") for year in issued_years]
    locks += [Lock(p.ends_on, f"the end of closed period {p.name}") for p in periods if p.is_locked]
    return max(locks, key=lambda lock: lock.through, default=None)


def lock_date(periods: Iterable[Period], issued_years: Iterable[int]) -> date | None:
    """The later of the end of the latest closed period and Dec 31 of the latest issued K-1 year."""
    lock = lock_of(periods, issued_years)
    return lock.through if lock else None


def ensure_after_lock(day: date, lock: Lock | None, what: str = "A booking") -> None:
    """Refuse (PeriodLocked) a booking dated on or before the lock date."""
    if lock is not None and day <= lock.through:
        raise PeriodLocked(
            f"{what} dated {day} falls on or before {lock.through}, {lock.because}; nothing may be booked "
            f"on or before that date. Date it after {lock.through}."
        )


def ensure_period_after_lock(starts_on: date, lock: Lock | None) -> None:
    """Refuse (PeriodBeforeLock) a new period starting on or before the lock date."""
    if lock is not None and starts_on <= lock.through:
        raise PeriodBeforeLock(
            f"A new period cannot start on {starts_on}: the books are locked through {lock.through}, "
            f"{lock.because}. Start it after {lock.through}."
        )
