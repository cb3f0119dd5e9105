"""Which period a day's patronage belongs to: the period containing the day (an open one first, then the
earliest, as a submission chooses), else — between periods — the latest that ended before it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol, TypeVar

from habitat_contributions.domain.replicas import PERIOD_OPEN


class Dated(Protocol):
    @property
    def starts_on(self) -> date: ...

    @property
    def ends_on(self) -> date: ...

    @property
    def status(self) -> str: ...


P = TypeVar("P", bound=Dated)


def period_of_day(day: date, periods: Iterable[P]) -> P | None:
    """The period the day's patronage is counted in; None when no period began by then."""
    begun = [period for period in periods if period.starts_on <= day]
    containing = [period for period in begun if day <= period.ends_on]
    if containing:
        return min(containing, key=lambda period: (period.status != PERIOD_OPEN, period.starts_on))
    return max(begun, key=lambda period: period.ends_on, default=None)
