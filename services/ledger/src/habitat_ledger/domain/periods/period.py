"""Accounting periods: a named, inclusive date range with a life cycle open → closing → closed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from habitat_ledger.domain.errors import InvalidPeriod, PeriodNotClosing

MAX_NAME_LENGTH = 64


class PeriodStatus(StrEnum):
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


@dataclass(eq=False)
class Period:
    """A period of the co-op's books; its dates are inclusive on both ends."""

    id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date
    status: PeriodStatus
    created_at: datetime
    created_by: uuid.UUID
    closing_at: datetime | None = None
    closing_by: uuid.UUID | None = None
    closed_at: datetime | None = None

    @classmethod
    def open(
        cls, *, name: str, starts_on: date, ends_on: date, created_by: uuid.UUID, now: datetime
    ) -> Period:
        """A new open period, after checking its name and dates."""
        name = name.strip()
        if not name or len(name) > MAX_NAME_LENGTH:
            raise InvalidPeriod(f"A period name needs 1 to {MAX_NAME_LENGTH} characters.")
        if ends_on < starts_on:
            raise InvalidPeriod("A period cannot end before it starts.")
        return cls(
            id=uuid.uuid4(),
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            status=PeriodStatus.OPEN,
            created_at=now,
            created_by=created_by,
        )

    def overlaps(self, starts_on: date, ends_on: date) -> bool:
        return self.starts_on <= ends_on and starts_on <= self.ends_on

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def is_locked(self) -> bool:
        """A closed period takes no more bookings dated in it."""
        return self.status == PeriodStatus.CLOSED

    def start_close(self, by: uuid.UUID, now: datetime) -> bool:
        """open → closing; False (nothing changes) when it is already closing or closed."""
        if self.status != PeriodStatus.OPEN:
            return False
        self.status, self.closing_at, self.closing_by = PeriodStatus.CLOSING, now, by
        return True

    def close(self, now: datetime) -> None:
        if self.status != PeriodStatus.CLOSING:
            raise PeriodNotClosing(f"Period {self.name} is {self.status}, not closing.")
        self.status, self.closed_at = PeriodStatus.CLOSED, now
