"""Booking approved contributions: patronage for every type, capital postings for cash and property.

An approved contribution whose period the ledger does not know yet waits in pending_event and is
applied when the period exists; one dated in a closed period, or on or before the lock date, is
kept there as an exception for an admin (GET /exceptions, pre-close report). Nothing is dropped.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from habitat_ledger.domain.commands import BookContribution
from habitat_ledger.domain.contribution import Patronage, booking_description, capital_legs
from habitat_ledger.domain.journal import JournalTransaction, Posting, SourceType
from habitat_ledger.domain.pending import CONTRIBUTION_APPROVED, PERIOD_CLOSED, UNKNOWN_PERIOD, PendingEvent
from habitat_ledger.service_layer.locks import current_lock
from habitat_ledger.service_layer.ports import UnitOfWork


async def book_contribution(
    command: BookContribution, uow: UnitOfWork, *, now: datetime | None = None
) -> bool:
    """Record an approved contribution inside the caller's open unit of work; the caller commits.

    Returns False, changing nothing, when the contribution was booked (or set aside) before: a
    redelivery under another event id. A source is booked once.
    """
    now = now or datetime.now(UTC)
    if await uow.patronage.get(command.contribution_id) or await uow.pending.get(
        CONTRIBUTION_APPROVED, command.contribution_id
    ):
        return False
    period = await uow.periods.get(command.period_id)
    if period is None or period.is_locked or await _under_the_lock(command, uow):
        reason = UNKNOWN_PERIOD if period is None else PERIOD_CLOSED
        await uow.pending.add(PendingEvent.of_contribution(command, reason, now))
        return True
    await _book(command, uow, now)
    return True


async def _under_the_lock(command: BookContribution, uow: UnitOfWork) -> bool:
    """Dated on or before the lock date though its period is open (a later period closed first, or its
    year's K-1s issued): kept as an exception like one of a closed period."""
    lock = await current_lock(uow)
    return lock is not None and command.contributed_on <= lock.through


async def apply_waiting_contributions(
    uow: UnitOfWork, *, period_id: uuid.UUID | None = None, now: datetime | None = None
) -> int:
    """Book the contributions that waited for a period that now exists (caller commits)."""
    now = now or datetime.now(UTC)
    waiting = await uow.pending.waiting_for_known_periods(period_id)
    for event in waiting:
        await uow.pending.mark_applied(event)
        event.applied_at = now
        await _book(event.command(), uow, now)
    return len(waiting)


async def list_exceptions(uow: UnitOfWork) -> list[PendingEvent]:
    """Events kept but not applied: waiting for their period, or dated in a closed period."""
    async with uow:
        return await uow.pending.unresolved()


async def _book(command: BookContribution, uow: UnitOfWork, now: datetime) -> None:
    await uow.patronage.add(Patronage.from_command(command, now))
    legs = capital_legs(command)
    if not legs:
        return
    accounts = await uow.accounts.ensure_many([leg.account for leg in legs])
    transaction = JournalTransaction.record(
        source_type=SourceType.CONTRIBUTION,
        source_id=command.contribution_id,
        occurred_on=command.contributed_on,
        description=booking_description(command),
        postings=[Posting(accounts[leg.account.code].id, leg.basis, leg.amount) for leg in legs],
        now=now,
        member_id=command.member_id,
    )
    await uow.journal.add(transaction)
