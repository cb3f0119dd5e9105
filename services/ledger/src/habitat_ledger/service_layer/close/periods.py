"""Use cases on accounting periods."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from habitat_ledger.domain.commands import OpenPeriod
from habitat_ledger.domain.errors import PeriodNameTaken, PeriodNotFound, PeriodOverlap
from habitat_ledger.domain.events import PeriodOpened
from habitat_ledger.domain.periods.lock import ensure_period_after_lock
from habitat_ledger.domain.periods.period import Period
from habitat_ledger.service_layer.close.ports import CloseUnitOfWork
from habitat_ledger.service_layer.journal.contributions import apply_waiting_contributions
from habitat_ledger.service_layer.periods.locks import current_lock


async def open_period(command: OpenPeriod, uow: CloseUnitOfWork, *, now: datetime | None = None) -> Period:
    """Open a new period unless its name is taken, it touches another period or starts on or before the lock date."""
    period = Period.open(
        name=command.name,
        starts_on=command.starts_on,
        ends_on=command.ends_on,
        created_by=command.requested_by,
        now=now or datetime.now(UTC),
    )
    async with uow:
        if await uow.periods.find_by_name(period.name):
            raise PeriodNameTaken(f"A period named {period.name!r} already exists.")
        ensure_period_after_lock(period.starts_on, await current_lock(uow))
        if clash := await uow.periods.find_overlapping(period.starts_on, period.ends_on):
            raise PeriodOverlap(
                f"The dates overlap period {clash.name} ({clash.starts_on} to {clash.ends_on})."
            )
        await uow.periods.add(period)
        await apply_waiting_contributions(uow, period_id=period.id, now=period.created_at)
        uow.events.append(PeriodOpened(period.id, period.name, period.starts_on, period.ends_on))
        await uow.commit()
    return period


async def list_periods(uow: CloseUnitOfWork) -> list[Period]:
    """Every period, earliest first."""
    async with uow:
        return await uow.periods.list()


async def get_period(period_id: uuid.UUID, uow: CloseUnitOfWork) -> Period:
    """One period, or PeriodNotFound."""
    async with uow:
        return await require_period(period_id, uow)


async def require_period(period_id: uuid.UUID, uow: CloseUnitOfWork, *, for_update: bool = False) -> Period:
    """The period inside an open unit of work, or PeriodNotFound."""
    period = await uow.periods.get(period_id, for_update=for_update)
    if period is None:
        raise PeriodNotFound("No such period.")
    return period
