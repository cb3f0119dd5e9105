"""Correcting the journal: a reversing transaction that references the original, never an edit."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from habitat_ledger.domain.errors import AlreadyReversed, InvalidAllocationInput, TransactionNotFound
from habitat_ledger.domain.journal.reversal import ensure_directly_reversible
from habitat_ledger.domain.journal.transactions import JournalTransaction
from habitat_ledger.service_layer.journal.ports import JournalUnitOfWork
from habitat_ledger.service_layer.periods.locks import ensure_open_date


async def reverse_transaction(
    transaction_id: uuid.UUID,
    reason: str,
    requested_by: uuid.UUID,
    uow: JournalUnitOfWork,
    *,
    occurred_on: date | None = None,
    now: datetime | None = None,
    today: date | None = None,
) -> JournalTransaction:
    """Execute a reversal in its own unit of work: the step an approved money move runs
    (service_layer.distributions.money_moves); the HTTP API only ever requests a reversal."""
    now = now or datetime.now(UTC)
    async with uow:
        reversal = await record_reversal(
            transaction_id, reason, requested_by, uow, day=occurred_on or today or now.date(), now=now
        )
        await uow.commit()
    return reversal


async def reversal_checks(transaction_id: uuid.UUID, reason: str, day: date, uow: JournalUnitOfWork) -> JournalTransaction:
    """Everything a reversal checks, inside the caller's unit of work; returns the original.

    Only entries no workflow owns (opening balances) are reversed here; a contribution, distribution
    or allocation entry is refused with a pointer to the workflow that corrects it. Once only, and
    dated after the lock date.
    """
    if not reason.strip():
        raise InvalidAllocationInput("A reversal needs a reason.")
    original = await uow.journal.get(transaction_id)
    if original is None:
        raise TransactionNotFound("No such journal transaction.")
    ensure_directly_reversible(original)
    if await uow.journal.is_reversed(transaction_id):
        raise AlreadyReversed("This transaction was reversed already.")
    await ensure_open_date(day, uow, "A reversal")
    return original


async def record_reversal(
    transaction_id: uuid.UUID, reason: str, requested_by: uuid.UUID, uow: JournalUnitOfWork, *, day: date, now: datetime
) -> JournalTransaction:
    """Record the negation of a transaction, once, dated day, in the caller's unit of work (checks made again)."""
    original = await reversal_checks(transaction_id, reason, day, uow)
    reversal = original.reversal(reason=reason.strip(), occurred_on=day, by=requested_by, now=now)
    await uow.journal.add(reversal)
    return reversal
