"""Pruning the outbox and inbox past the retention, against real PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from habitat_common.messaging.inbox import claim
from habitat_common.messaging.pruning import MessagingPruner, prunable, prune_batch
from habitat_common.settings import MessagingSettings
from prometheus_client import REGISTRY
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
OLD, RECENT = NOW - timedelta(days=31), NOW - timedelta(days=29)


def outbox_row(created_at: datetime, published_at: datetime | None) -> dict:
    event_id = uuid.uuid4()
    return {"event_id": event_id, "routing_key": "ledger.test.v1", "payload": {"event_id": str(event_id)},
            "created_at": created_at, "published_at": published_at}


async def ids(sessions, table: Table, column) -> set:
    async with sessions() as session:
        return set((await session.execute(select(column))).scalars())


def pruned_metric(table: str) -> float:
    return REGISTRY.get_sample_value("habitat_messaging_rows_pruned_total", {"service": "sample", "table": table}) or 0


class TestTheRule:
    def test_only_outbox_inbox_and_member_change_tables_have_prunable_rows(self) -> None:
        other = Table("audit_log", MetaData(), Column("id", Integer, primary_key=True))
        with pytest.raises(ValueError, match="not an outbox, inbox or member change table"):
            prunable(other, NOW)
        with pytest.raises(ValueError):
            MessagingPruner(service="sample", session_factory=None, tables=[other], settings=MessagingSettings())

    def test_the_retention_is_at_least_a_day(self) -> None:
        with pytest.raises(ValueError):
            MessagingSettings(retention_days=0)


class TestPruning:
    async def test_old_published_rows_go_unpublished_and_recent_rows_stay(self, tables) -> None:
        _, sessions, outbox, inbox = tables
        old_published, old_unpublished, recent_published = (
            outbox_row(OLD, OLD), outbox_row(OLD - timedelta(days=60), None), outbox_row(RECENT, RECENT)
        )
        old_event, recent_event = uuid.uuid4(), uuid.uuid4()
        async with sessions() as session, session.begin():
            await session.execute(insert(outbox), [old_published, old_unpublished, recent_published])
            await session.execute(insert(inbox), [
                {"consumer": "ledger.sample", "event_id": old_event, "processed_at": OLD},
                {"consumer": "ledger.sample", "event_id": recent_event, "processed_at": RECENT},
            ])
        before = pruned_metric("outbox"), pruned_metric("inbox")

        pruner = MessagingPruner(service="sample", session_factory=sessions, tables=[outbox, inbox],
                                 settings=MessagingSettings(retention_days=30))
        assert await pruner.prune_once(NOW) == {"outbox": 1, "inbox": 1}

        assert await ids(sessions, outbox, outbox.c.event_id) == {
            old_unpublished["event_id"], recent_published["event_id"]}  # the relay still owes the unpublished one
        assert await ids(sessions, inbox, inbox.c.event_id) == {recent_event}
        assert (pruned_metric("outbox"), pruned_metric("inbox")) == (before[0] + 1, before[1] + 1)
        assert await pruner.prune_once(NOW) == {"outbox": 0, "inbox": 0}  # nothing more is due

        async with sessions() as session, session.begin():
            # a redelivery within the retention is still a duplicate; past it, the id is forgotten
            assert await claim(session, inbox, "ledger.sample", recent_event) is False
            assert await claim(session, inbox, "ledger.sample", old_event) is True

    async def test_rows_go_in_bounded_batches_until_none_is_due(self, tables) -> None:
        _, sessions, outbox, inbox = tables
        async with sessions() as session, session.begin():
            await session.execute(insert(outbox), [outbox_row(OLD, OLD) for _ in range(25)])
        cutoff = NOW - timedelta(days=30)
        assert await prune_batch(sessions, outbox, cutoff, batch_size=10) == 10  # one transaction, no more

        pruner = MessagingPruner(service="sample", session_factory=sessions, tables=[outbox, inbox],
                                 settings=MessagingSettings(retention_days=30, prune_batch_size=4))
        assert await pruner.prune_once(NOW) == {"outbox": 15, "inbox": 0}
        async with sessions() as session:
            assert await session.scalar(select(func.count()).select_from(outbox)) == 0

    async def test_the_worker_loop_prunes_at_start_and_stops_cleanly(self, tables) -> None:
        _, sessions, outbox, inbox = tables
        async with sessions() as session, session.begin():
            # published 31 days before the real now: the loop prunes by the clock
            stamp = datetime.now(UTC) - timedelta(days=31)
            await session.execute(insert(outbox), [outbox_row(stamp, stamp)])
        pruner = MessagingPruner(service="sample", session_factory=sessions, tables=[outbox, inbox],
                                 settings=MessagingSettings(retention_days=30, prune_interval_seconds=60))
        await pruner.start()
        try:
            for _ in range(100):
                if not await ids(sessions, outbox, outbox.c.id):
                    break
                await asyncio.sleep(0.05)
            assert await ids(sessions, outbox, outbox.c.id) == set()
            assert pruner.is_running()
        finally:
            await pruner.stop()
        assert not pruner.is_running()
