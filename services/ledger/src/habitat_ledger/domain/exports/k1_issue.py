"""An issued K-1 year: what each member's capital was at its end, kept to carry the next year's beginning."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from habitat_ledger.domain.errors import K1PeriodsNotClosed
from habitat_ledger.domain.money import ZERO
from habitat_ledger.domain.periods.period import Period, PeriodStatus


@dataclass(frozen=True)
class IssuedEnding:
    """One member's ending capital per basis and §704(c) built-in gain, as issued."""

    member_id: uuid.UUID
    tax: Decimal
    book: Decimal
    section_704c_gain: Decimal = ZERO

    def on(self, basis: str) -> Decimal:
        return self.tax if basis == "tax" else self.book


@dataclass(frozen=True)
class K1Issue:
    """A tax year whose K-1s were issued: who issued them, when, and the endings they reported."""

    year: int
    issued_at: datetime
    issued_by: uuid.UUID
    endings: tuple[IssuedEnding, ...] = ()

    def by_member(self) -> dict[uuid.UUID, IssuedEnding]:
        return {ending.member_id: ending for ending in self.endings}


def ensure_year_closed(year: int, periods: list[Period]) -> None:
    """Refuse to issue a year while a period sharing a day with it is open or closing: issuing locks every
    date of the year, so such a period could never be posted."""
    unfinished = sorted(
        (p for p in periods if p.overlaps(date(year, 1, 1), date(year, 12, 31)) and p.status != PeriodStatus.CLOSED),
        key=lambda p: p.starts_on,
    )
    if unfinished:
        names = ", ".join(f"{p.name} ({p.status})" for p in unfinished)
        raise K1PeriodsNotClosed(f"The K-1s of {year} are issued once its periods are closed; still to close: {names}.")
