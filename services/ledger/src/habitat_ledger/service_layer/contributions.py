"""Booking approved contributions: patronage for every type, capital postings for cash and property."""

from __future__ import annotations

from datetime import UTC, datetime

from habitat_ledger.domain.commands import BookContribution
from habitat_ledger.domain.contribution import Patronage, capital_legs
from habitat_ledger.domain.journal import Account, JournalTransaction, Posting, SourceType
from habitat_ledger.service_layer.ports import UnitOfWork


async def book_contribution(
    command: BookContribution, uow: UnitOfWork, *, now: datetime | None = None
) -> bool:
    """Record an approved contribution inside the caller's open unit of work; the caller commits.

    Returns False, changing nothing, when the contribution was booked before (a redelivery under
    another event id): a source is booked once.
    """
    now = now or datetime.now(UTC)
    source = (SourceType.CONTRIBUTION, command.contribution_id)
    if await uow.patronage.get(command.contribution_id) or await uow.journal.has_source(*source):
        return False
    await uow.patronage.add(Patronage.from_command(command, now))
    legs = capital_legs(command)
    if not legs:
        return True
    accounts: dict[str, Account] = {}
    for leg in legs:
        if leg.account.code not in accounts:
            accounts[leg.account.code] = await uow.accounts.ensure(leg.account)
    transaction = JournalTransaction.record(
        source_type=source[0],
        source_id=source[1],
        occurred_on=command.contributed_on,
        description=f"{command.type} contribution {command.contribution_id}",
        postings=[Posting(accounts[leg.account.code].id, leg.basis, leg.amount) for leg in legs],
        now=now,
    )
    await uow.journal.add(transaction)
    return True
