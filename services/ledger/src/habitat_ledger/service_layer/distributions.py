"""Distributions: schedule, complete (debits capital on both bases), cancel."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from habitat_ledger.domain.capital import CapitalBalance
from habitat_ledger.domain.commands import CompleteDistribution, ScheduleDistribution
from habitat_ledger.domain.distribution import METHODS, Distribution, DistributionStatus
from habitat_ledger.domain.errors import (
    DistributionNotFound,
    InvalidDistribution,
    WouldOverdrawCapital,
)
from habitat_ledger.domain.events import DistributionCompleted
from habitat_ledger.domain.journal import AccountRef, Basis, JournalTransaction, Posting, SourceType
from habitat_ledger.service_layer.locks import ensure_open_date
from habitat_ledger.service_layer.ports import UnitOfWork


async def schedule_distribution(
    command: ScheduleDistribution, uow: UnitOfWork, *, now: datetime | None = None
) -> Distribution:
    """Schedule a payment to a member; nothing is debited until it is completed."""
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


async def complete_distribution(
    command: CompleteDistribution,
    uow: UnitOfWork,
    *,
    now: datetime | None = None,
    method: str | None = None,
    today: date | None = None,
) -> Distribution:
    """Mark paid and debit the member's capital on both bases (credit co-op cash).

    Paid on the day given, else today (the co-op's), which must fall after the lock date.

    Refused with would_overdraw_capital when either balance would go negative, unless an override
    reason is given; it is recorded on the distribution. Completing a completed one answers it.
    """
    now = now or datetime.now(UTC)
    async with uow:
        distribution = await require_distribution(command.distribution_id, uow, for_update=True)
        if distribution.status == DistributionStatus.COMPLETED:
            return distribution
        paid_on = command.paid_on or today or now.date()
        await ensure_open_date(paid_on, uow, "A payment")
        capital = AccountRef.member_capital(distribution.member_id)
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
        if method:
            if method not in METHODS:
                raise InvalidDistribution(f"The payment method is one of {', '.join(METHODS)}.")
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
        await uow.commit()
    return distribution


async def cancel_distribution(
    distribution_id: uuid.UUID, reason: str, requested_by: uuid.UUID, uow: UnitOfWork, *, now: datetime | None = None
) -> Distribution:
    """Cancel a scheduled distribution, with the reason."""
    async with uow:
        distribution = await require_distribution(distribution_id, uow, for_update=True)
        distribution.cancel(reason=reason, by=requested_by, at=now or datetime.now(UTC))
        await uow.commit()
    return distribution


async def list_distributions(uow: UnitOfWork, member_id: uuid.UUID | None, status: str | None) -> list[Distribution]:
    """Distributions, optionally of one member and/or in one status."""
    async with uow:
        return await uow.distributions.list(member_id, status)


async def get_distribution(distribution_id: uuid.UUID, uow: UnitOfWork) -> Distribution:
    async with uow:
        return await require_distribution(distribution_id, uow)


async def require_distribution(
    distribution_id: uuid.UUID, uow: UnitOfWork, *, for_update: bool = False
) -> Distribution:
    distribution = await uow.distributions.get(distribution_id, for_update=for_update)
    if distribution is None:
        raise DistributionNotFound("No such distribution.")
    return distribution
