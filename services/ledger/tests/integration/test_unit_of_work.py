"""The unit of work: state and outbox rows commit together, or not at all."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from habitat_ledger.adapters.uow import SqlAlchemyUnitOfWork
from habitat_ledger.domain.errors import PeriodOverlap
from habitat_ledger.domain.periods.period import Period
from habitat_ledger.service_layer.close.periods import open_period
from tests.ledger_builders import open_period_command


async def outbox_rows(connection: AsyncConnection) -> list:
    return (
        await connection.execute(text("SELECT routing_key, payload FROM ledger.outbox ORDER BY id"))
    ).all()


class TestOpenPeriod:
    async def test_period_and_its_event_are_written_together(self, uow_factory, connection):
        period = await open_period(open_period_command(), uow_factory())
        [(routing_key, payload)] = await outbox_rows(connection)
        assert routing_key == "ledger.period_opened.v1"
        assert payload["payload"] == {
            "period_id": str(period.id),
            "name": "2026-Q1",
            "starts_on": "2026-01-01",
            "ends_on": "2026-03-31",
            "status": "open",
        }
        assert payload["producer"] == "ledger"

    async def test_nothing_is_written_without_commit(self, uow_factory, connection):
        async with uow_factory() as uow:
            await uow.periods.add(
                Period.open(
                    name="x",
                    starts_on=date(2026, 1, 1),
                    ends_on=date(2026, 1, 2),
                    created_by=uuid.uuid4(),
                    now=datetime.now(UTC),
                )
            )
            uow.events.append(object())  # would fail translation if it ever reached the outbox
        assert await connection.scalar(text("SELECT count(*) FROM ledger.period")) == 0

    async def test_a_race_past_the_overlap_check_still_ends_in_period_overlap(
        self, session_factory, connection
    ):
        await open_period(open_period_command(), SqlAlchemyUnitOfWork(session_factory))
        racing = open_period_command("racer", date(2026, 3, 1), date(2026, 4, 30))
        with pytest.raises(PeriodOverlap):
            await open_period(racing, BlindUnitOfWork(session_factory))
        assert len(await outbox_rows(connection)) == 1


class BlindUnitOfWork(SqlAlchemyUnitOfWork):
    """Misses the other period, as if it committed just after our check."""

    def _enter_repositories(self, session) -> None:
        super()._enter_repositories(session)

        async def never_finds(*_: object) -> None:
            return None

        self.periods.find_overlapping = never_finds
