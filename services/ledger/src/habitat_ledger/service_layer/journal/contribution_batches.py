"""Booking approved contributions set-based: an import's batch, a delivery's, or a single one (a batch of one)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from habitat_ledger.domain.commands import BookContribution
from habitat_ledger.domain.journal.contribution_batch import BatchBookings, first_of_each, plan_bookings
from habitat_ledger.service_layer.journal.ports import JournalUnitOfWork
from habitat_ledger.service_layer.periods.locks import current_lock


@dataclass(frozen=True)
class BatchOutcome:
    """How many contributions of a batch were booked, set aside (waiting or exceptions) or skipped; which changed."""

    booked: int
    waiting: int
    exceptions: int
    skipped: int
    changed_ids: frozenset[uuid.UUID] = field(default=frozenset())

    @property
    def changed(self) -> bool:
        return self.booked + self.waiting + self.exceptions > 0


async def book_contribution_batch(
    commands: list[BookContribution], uow: JournalUnitOfWork, *, now: datetime | None = None
) -> BatchOutcome:
    """Record many approved contributions inside the caller's open unit of work; the caller commits.

    Each one is skipped when booked or set aside before, waiting when its period is unknown, an
    exception when its period is closed or it is dated on or before the lock date, otherwise
    patronage plus (cash and property) one capital transaction (domain.journal.contribution_batch). A few
    statements per batch, whatever its size.
    """
    now = now or datetime.now(UTC)
    unique = first_of_each(commands)
    recorded = await uow.contribution_batches.recorded([c.contribution_id for c in unique])
    periods = {c.period_id for c in unique if c.contribution_id not in recorded}
    locks = await uow.contribution_batches.period_locks(periods)
    lock = await current_lock(uow)
    plan = plan_bookings(
        commands, recorded=recorded, period_locked=locks, now=now, locked_through=lock.through if lock else None
    )
    await write_bookings(plan, uow)
    changed = frozenset(plan.patronage.contribution_ids) | {event.key for event in plan.pending}
    return BatchOutcome(len(plan.patronage), plan.waiting, plan.exceptions, plan.skipped, changed)


async def write_bookings(plan: BatchBookings, uow: JournalUnitOfWork) -> None:
    """Write what a plan books and sets aside, a statement per table, in the caller's unit of work."""
    await uow.contribution_batches.add_pending(plan.pending)
    await uow.journal_rows.add_rows(plan.entries)
    # last: its trigger locks the batch's members' patronage totals, which concurrent batches share, until commit
    await uow.contribution_batches.add_patronage(plan.patronage)
