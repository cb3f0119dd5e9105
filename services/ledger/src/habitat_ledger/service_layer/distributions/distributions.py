"""Distributions: schedule, complete (debits capital on both bases), cancel."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from habitat_ledger.domain.commands import CompleteDistribution, ScheduleDistribution
from habitat_ledger.domain.distributions.distribution import METHODS, Distribution, DistributionStatus
from habitat_ledger.domain.errors import (
    DistributionNotFound,
    DistributionNotScheduled,
    InvalidDistribution,
    OwnDistribution,
    WouldOverdrawCapital,
)
from habitat_ledger.domain.events import DistributionCompleted
from habitat_ledger.domain.journal.capital import CapitalBalance
from habitat_ledger.domain.journal.transactions import (
    AccountRef,
    Basis,
    JournalTransaction,
    Posting,
    SourceType,
)
from habitat_ledger.service_layer.distributions.ports import DistributionsUnitOfWork
from habitat_ledger.service_layer.periods.locks import ensure_open_date


async def schedule_distribution(
    command: ScheduleDistribution, uow: DistributionsUnitOfWork, *, now: datetime | None = None
) -> Distribution:
    """Schedule a payment to a member; nothing is debited until it is completed. Not to oneself (OwnDistribution)."""
    refuse_own(command.member_id, command.requested_by)
    distribution = Distribution.schedule(
        member_id=command.member_id,
        amount=command.amount,
        method=command.method,
        scheduled_on=command.scheduled_on,
        created_by=command.requested_by,
        now=now or datetime.now(UTC),
    )
    async with uow:
        await uow.distributions.add(distribution)
        await uow.commit()
    return distribution


def refuse_own(member_id: uuid.UUID, by: uuid.UUID) -> None:
    """Nobody pays themselves (PRODUCT.md rule 12): OwnDistribution."""
    if member_id == by:
        raise OwnDistribution("You cannot schedule, complete or approve a distribution to yourself.")


async def complete_distribution(
    command: CompleteDistribution,
    uow: DistributionsUnitOfWork,
    *,
    now: datetime | None = None,
    method: str | None = None,
    today: date | None = None,
) -> Distribution:
    """Execute a completion in its own unit of work: the step an approved money move runs
    (service_layer.distributions.money_moves); the HTTP API only ever requests a completion."""
    async with uow:
        distribution = await pay_distribution(command, uow, now=now or datetime.now(UTC), method=method, today=today)
        await uow.commit()
    return distribution


async def completion_checks(
    command: CompleteDistribution, uow: DistributionsUnitOfWork, *, method: str | None, today: date
) -> tuple[Distribution, date, str]:
    """Everything a completion checks before money moves, inside the caller's unit of work.

    Returns the distribution (locked), the day it is paid and the method. Refused: to the payee
    (OwnDistribution), unless scheduled, on or before the lock date, without a reference, and
    with would_overdraw_capital when either balance would go negative and no override reason is given.
    """
    distribution = await require_distribution(command.distribution_id, uow, for_update=True)
    refuse_own(distribution.member_id, command.requested_by)
    if distribution.status != DistributionStatus.SCHEDULED:
        raise DistributionNotScheduled(f"This distribution is {distribution.status}.")
    if not command.reference.strip():
        raise InvalidDistribution("A completed distribution needs the payment reference.")
    method = method or distribution.method
    if method not in METHODS:
        raise InvalidDistribution(f"The payment method is one of {', '.join(METHODS)}.")
    paid_on = command.paid_on or today
    await ensure_open_date(paid_on, uow, "A payment")
    capital = AccountRef.member_capital(distribution.member_id)
    # held until commit: completions of the member's other distributions wait here, then see this one's debit
    await uow.accounts.lock(capital)
    sums = await uow.journal.posting_sums(capital.code, None)
    balance = CapitalBalance.from_posting_sums(
        distribution.member_id, sums.by_basis.get(Basis.BOOK), sums.by_basis.get(Basis.TAX), paid_on
    )
    override = (command.override_reason or "").strip() or None
    if min(balance.book_balance, balance.tax_balance) < distribution.amount and override is None:
        raise WouldOverdrawCapital(
            f"Paying {distribution.amount} would leave book capital {balance.book_balance - distribution.amount}"
            f" and tax capital {balance.tax_balance - distribution.amount}; give an override reason to proceed."
        )
    return distribution, paid_on, method


async def pay_distribution(
    command: CompleteDistribution,
    uow: DistributionsUnitOfWork,
    *,
    now: datetime,
    method: str | None = None,
    today: date | None = None,
) -> Distribution:
    """Mark paid and debit the member's capital on both bases (credit co-op cash), in the caller's unit of work.

    Paid on the day given, else today (the co-op's), which must fall after the lock date; every
    check of completion_checks() is made again here. Completing a completed one answers it.
    """
    found = await require_distribution(command.distribution_id, uow, for_update=True)
    if found.status == DistributionStatus.COMPLETED:
        return found
    distribution, paid_on, method = await completion_checks(command, uow, method=method, today=today or now.date())
    override = (command.override_reason or "").strip() or None
    distribution.method = method
    distribution.complete(
        reference=command.reference, paid_on=paid_on, by=command.requested_by, at=now, override_reason=override
    )
    accounts = await uow.accounts.ensure_many([leg.account for leg in distribution.legs()])
    await uow.journal.add(
        JournalTransaction.record(
            source_type=SourceType.DISTRIBUTION,
            source_id=distribution.id,
            occurred_on=paid_on,
            description=f"Distribution paid by {distribution.method}, reference {distribution.reference}",
            postings=[Posting(accounts[leg.account.code].id, leg.basis, leg.amount) for leg in distribution.legs()],
            now=now,
            member_id=distribution.member_id,
            recorded_by=command.requested_by,
        )
    )
    uow.events.append(
        DistributionCompleted(
            distribution.id, distribution.member_id, distribution.amount, distribution.method,
            distribution.reference or "", paid_on,
        )
    )
    return distribution


async def cancel_distribution(
    distribution_id: uuid.UUID, reason: str, requested_by: uuid.UUID, uow: DistributionsUnitOfWork, *, now: datetime | None = None
) -> Distribution:
    """Cancel a scheduled distribution, with the reason."""
    async with uow:
        distribution = await require_distribution(distribution_id, uow, for_update=True)
        distribution.cancel(reason=reason, by=requested_by, at=now or datetime.now(UTC))
        await uow.commit()
    return distribution


async def list_distributions(uow: DistributionsUnitOfWork, member_id: uuid.UUID | None, status: str | None) -> list[Distribution]:
    """Distributions, optionally of one member and/or in one status."""
    async with uow:
        return await uow.distributions.list(member_id, status)


async def get_distribution(distribution_id: uuid.UUID, uow: DistributionsUnitOfWork) -> Distribution:
    async with uow:
        return await require_distribution(distribution_id, uow)


async def require_distribution(
    distribution_id: uuid.UUID, uow: DistributionsUnitOfWork, *, for_update: bool = False
) -> Distribution:
    distribution = await uow.distributions.get(distribution_id, for_update=for_update)
    if distribution is None:
        raise DistributionNotFound("No such distribution.")
    return distribution
