"""How approved contributions are booked: the one rule, for a batch of any size (a single one is a batch of one).

For each contribution not seen before: its period unknown → it waits (pending, unknown period);
its period closed, or the contribution dated on or before the lock date → it is kept as an
exception (pending, period closed); otherwise patronage for every type and, for cash and
property, one capital transaction (capital_legs, booking_description).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from habitat_ledger.domain.commands import BookContribution
from habitat_ledger.domain.journal.contribution import PatronageRows, booking_description, capital_legs
from habitat_ledger.domain.journal.journal_rows import JournalRows
from habitat_ledger.domain.journal.pending import PERIOD_CLOSED, UNKNOWN_PERIOD, PendingEvent
from habitat_ledger.domain.journal.transactions import SourceType


@dataclass
class BatchBookings:
    """What a batch writes: patronage rows, capital transactions, events set aside; and what it skipped."""

    patronage: PatronageRows
    entries: JournalRows
    pending: list[PendingEvent] = field(default_factory=list)
    skipped: int = 0

    @property
    def waiting(self) -> int:
        return sum(1 for event in self.pending if event.reason == UNKNOWN_PERIOD)

    @property
    def exceptions(self) -> int:
        return sum(1 for event in self.pending if event.reason == PERIOD_CLOSED)


def first_of_each(commands: list[BookContribution]) -> list[BookContribution]:
    """The batch without repeats of a contribution (the first occurrence counts, as a redelivery would)."""
    unique: dict[uuid.UUID, BookContribution] = {}
    for command in commands:
        unique.setdefault(command.contribution_id, command)
    return list(unique.values())


def plan_bookings(
    commands: list[BookContribution],
    *,
    recorded: set[uuid.UUID],
    period_locked: dict[uuid.UUID, bool],
    now: datetime,
    locked_through: date | None = None,
) -> BatchBookings:
    """Split a batch into what is skipped, set aside and booked.

    recorded: contributions already booked or set aside (skipped); period_locked: every known
    period of the batch, True when closed; locked_through: the lock date (domain.periods.lock), on or
    before which a contribution of a known period is kept as an exception like one of a closed period.
    """
    unique = first_of_each(commands)
    plan = BatchBookings(patronage=PatronageRows(recorded_at=now), entries=JournalRows(recorded_at=now), skipped=len(commands) - len(unique))
    for command in unique:
        if command.contribution_id in recorded:
            plan.skipped += 1
            continue
        locked = period_locked.get(command.period_id)
        if locked is not None and locked_through is not None and command.contributed_on <= locked_through:
            locked = True
        if locked is None or locked:
            reason = UNKNOWN_PERIOD if locked is None else PERIOD_CLOSED
            plan.pending.append(PendingEvent.of_contribution(command, reason, now))
            continue
        plan.patronage.add(command)
        legs = capital_legs(command)
        if legs:
            plan.entries.add(
                source_type=SourceType.CONTRIBUTION,
                source_id=command.contribution_id,
                occurred_on=command.contributed_on,
                description=booking_description(command),
                legs=legs,
                member_id=command.member_id,
            )
    return plan


def plan_waiting(events: list[PendingEvent], *, now: datetime) -> BatchBookings:
    """The bookings of contributions that waited for their period, now that it exists and is open.

    Booked as plan_bookings books any contribution of an open period; the lock date is not looked
    at, as their period opened after it (open_period refuses one starting on or before it).
    """
    commands = [event.command() for event in events]
    open_periods = {command.period_id: False for command in commands}
    return plan_bookings(commands, recorded=set(), period_locked=open_periods, now=now)
