"""The ledger's worker prunes its own outbox and inbox on the migrated schema; the journal is never pruned."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from habitat_common.messaging.pruning import MessagingPruner
from habitat_common.settings import MessagingSettings
from sqlalchemy import func, insert, select, text

from habitat_ledger.adapters.orm import inbox, member_change, outbox
from habitat_ledger.config import LedgerSettings

NOW = datetime.now(UTC)


def test_the_retention_is_a_setting_of_the_ledger(monkeypatch) -> None:
    monkeypatch.setenv("LEDGER_MESSAGING__RETENTION_DAYS", "45")
    assert LedgerSettings().messaging.retention_days == 45
    monkeypatch.delenv("LEDGER_MESSAGING__RETENTION_DAYS")
    assert LedgerSettings().messaging.retention_days == 30


async def test_old_messaging_rows_go_and_the_journal_stays(session_factory, connection) -> None:
    old, recent = NOW - timedelta(days=40), NOW - timedelta(days=2)
    rows = [(old, old), (old, None), (recent, recent)]  # published long ago, never published, published lately
    async with session_factory() as session, session.begin():
        await session.execute(insert(outbox), [
            {"event_id": uuid.uuid4(), "routing_key": "ledger.test.v1", "payload": {}, "created_at": created,
             "published_at": published} for created, published in rows
        ])
        await session.execute(insert(inbox), [
            {"consumer": "ledger.contribution_approved", "event_id": uuid.uuid4(), "processed_at": at}
            for at in (old, recent)
        ])
    journal_before = (await connection.execute(text("SELECT count(*) FROM ledger.journal_transaction"))).scalar()

    pruner = MessagingPruner(service="ledger", session_factory=session_factory, tables=[outbox, inbox],
                             settings=MessagingSettings())
    assert await pruner.prune_once() == {"outbox": 1, "inbox": 1}

    async with session_factory() as session:
        left = (await session.execute(select(outbox.c.published_at).order_by(outbox.c.id))).scalars().all()
        assert left == [None, recent]
        assert await session.scalar(select(func.count()).select_from(inbox)) == 1
    assert (await connection.execute(text("SELECT count(*) FROM ledger.journal_transaction"))).scalar() == journal_before


async def test_the_member_change_feed_is_kept_an_hour(session_factory, connection) -> None:
    ages = (timedelta(hours=3), timedelta(minutes=61), timedelta(minutes=59), timedelta(seconds=1))
    async with session_factory() as session, session.begin():
        await session.execute(insert(member_change), [
            {"member_id": uuid.uuid4(), "changed_at": NOW - age} for age in ages
        ])
    pruner = MessagingPruner(service="ledger", session_factory=session_factory, tables=[member_change],
                             settings=MessagingSettings(prune_batch_size=1))
    assert await pruner.prune_once(now=NOW) == {"member_change": 2}
    async with session_factory() as session:
        left = (await session.execute(select(member_change.c.changed_at).order_by(member_change.c.id))).scalars().all()
    assert left == [NOW - ages[2], NOW - ages[3]]
