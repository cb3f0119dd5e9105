"""Closing a period: the pre-close report, starting the close, and the sealed totals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from habitat_ledger.domain.close.allocation import TYPES
from habitat_ledger.domain.close.seal import PeriodSeal, Reconciliation
from habitat_ledger.domain.commands import RecordSeal
from habitat_ledger.domain.events import PeriodClosing
from habitat_ledger.domain.money import ZERO
from habitat_ledger.domain.periods.period import Period
from habitat_ledger.service_layer.close.periods import require_period
from habitat_ledger.service_layer.close.ports import CloseUnitOfWork


@dataclass(frozen=True)
class PreCloseReport:
    period: Period
    members_with_patronage: int
    approved_count: int
    approved_value_by_type: dict[str, Decimal]
    sealed: Reconciliation
    unapplied_events: int


async def pre_close_report(period_id: uuid.UUID, uow: CloseUnitOfWork) -> PreCloseReport:
    """Members, approved totals by type, whether the sealed totals reconcile, and unapplied events."""
    async with uow:
        period = await require_period(period_id, uow)
        totals = await uow.patronage.totals(period_id)
        sealed = await uow.seals.reconciliation(period_id)
        unapplied = len(await uow.pending.unresolved())
    by_type = {t: ZERO for t in TYPES}
    for row in totals:
        by_type[row.type] += row.value
    return PreCloseReport(
        period=period,
        members_with_patronage=len({row.member_id for row in totals}),
        approved_count=sum(row.count for row in totals),
        approved_value_by_type=by_type,
        sealed=sealed,
        unapplied_events=unapplied,
    )


async def start_close(
    period_id: uuid.UUID, requested_by: uuid.UUID, uow: CloseUnitOfWork, *, now: datetime | None = None
) -> Period:
    """open → closing and announce it so contributions stops intake and seals its totals.

    Closing a period that is already closing or closed answers it as it is.
    """
    async with uow:
        period = await require_period(period_id, uow, for_update=True)
        if period.start_close(requested_by, now or datetime.now(UTC)):
            uow.events.append(PeriodClosing(period.id, period.name, period.starts_on, period.ends_on))
            await uow.commit()
    return period


async def record_seal(command: RecordSeal, uow: CloseUnitOfWork, *, now: datetime | None = None) -> None:
    """Keep the newest sealed totals of a period (inside the caller's unit of work).

    The period row is locked so that seals of one period arriving together are weighed one at a time."""
    seal = PeriodSeal(
        command.period_id, dict(command.members), command.total_count, command.total_value,
        command.pending_count, now or datetime.now(UTC),
    )
    await uow.periods.get(command.period_id, for_update=True)
    if seal.supersedes(await uow.seals.pending_count_of(command.period_id)):
        await uow.seals.save(seal)
