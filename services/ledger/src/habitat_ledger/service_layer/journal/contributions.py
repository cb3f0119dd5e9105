"""Booking approved contributions: patronage for every type, capital postings for cash and property.

An approved contribution whose period the ledger does not know yet waits in pending_event and is
applied when the period exists; one dated in a closed period, or on or before the lock date, is
kept there as an exception for an admin (GET /exceptions, pre-close report). Nothing is dropped.
One path books them all: a single contribution is a batch of one (service_layer.journal.contribution_batches).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from habitat_ledger.domain.commands import BookContribution
from habitat_ledger.domain.journal.contribution_batch import plan_waiting
from habitat_ledger.domain.journal.pending import PendingEvent
from habitat_ledger.service_layer.journal.contribution_batches import book_contribution_batch, write_bookings
from habitat_ledger.service_layer.journal.ports import JournalUnitOfWork


async def book_contribution(
    command: BookContribution, uow: JournalUnitOfWork, *, now: datetime | None = None
) -> bool:
    """Record an approved contribution inside the caller's open unit of work; the caller commits.

    Returns False, changing nothing, when the contribution was booked (or set aside) before: a
    redelivery under another event id. A source is booked once.
    """
    return (await book_contribution_batch([command], uow, now=now)).changed


async def apply_waiting_contributions(
    uow: JournalUnitOfWork, *, period_id: uuid.UUID | None = None, now: datetime | None = None
) -> int:
    """Book the contributions that waited for a period that now exists (caller commits)."""
    now = now or datetime.now(UTC)
    waiting = await uow.pending.waiting_for_known_periods(period_id)
    if not waiting:
        return 0
    await uow.pending.mark_applied(waiting, now)
    await write_bookings(plan_waiting(waiting, now=now), uow)
    return len(waiting)


async def list_exceptions(uow: JournalUnitOfWork) -> list[PendingEvent]:
    """Events kept but not applied: waiting for their period, or dated in a closed period."""
    async with uow:
        return await uow.pending.unresolved()
