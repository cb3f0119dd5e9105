"""Pruning the messaging bookkeeping (outbox and inbox rows) and the member change feed past their retention, so
the tables stop growing.

What may go is decided in prunable() alone; the SQL only deletes that set, a bounded batch at a time. The
audit log, dead letters and the ledger's journal are never touched here: only the tables handed in.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Table, and_, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from habitat_common.member_changes import FEED_RETENTION
from habitat_common.messaging.polling import BackgroundLoop
from habitat_common.settings import MessagingSettings
from habitat_common.telemetry import MESSAGING_ROWS_PRUNED

log = logging.getLogger(__name__)


def prunable(table: Table, cutoff: datetime) -> ColumnElement[bool]:
    """The rule. An outbox row may go once it was published before cutoff (never while unpublished: the relay
    still owes it); an inbox row once it was processed before cutoff (a redelivery older than the retention
    is no longer recognised as a duplicate, so the retention must outlast redeliveries and replays)."""
    if "published_at" in table.c:
        return and_(table.c.published_at.is_not(None), table.c.published_at < cutoff)
    if "processed_at" in table.c:
        return table.c.processed_at < cutoff
    if table.name == "member_change":  # a poller re-reads at most its overlap window (seconds) behind its cursor
        return table.c.changed_at < cutoff
    raise ValueError(f"{table.fullname} is not an outbox, inbox or member change table: nothing in it may be pruned")


def retention(table: Table, settings: MessagingSettings) -> timedelta:
    """How long rows of the table are kept: the member change feed's hour, the messaging's days."""
    return FEED_RETENTION if table.name == "member_change" else timedelta(days=settings.retention_days)


async def prune_batch(
    session_factory: async_sessionmaker[AsyncSession], table: Table, cutoff: datetime, batch_size: int
) -> int:
    """Delete up to batch_size prunable rows of table in one short transaction; how many went. Rows another
    replica is deleting (or the relay is publishing) are skipped, not waited for."""
    rule = prunable(table, cutoff)
    key = tuple_(*table.primary_key.columns)
    chosen = select(*table.primary_key.columns).where(rule).limit(batch_size).with_for_update(skip_locked=True)
    async with session_factory() as session, session.begin():
        result = await session.execute(delete(table).where(key.in_(chosen)))
    return result.rowcount or 0


class MessagingPruner(BackgroundLoop):
    """A worker's loop: every interval, each table's prunable rows go in batches until a batch comes back
    short. Runs beside the relay; any number of replicas may run it. Readiness checks it by name."""

    def __init__(
        self,
        *,
        service: str,
        session_factory: async_sessionmaker[AsyncSession],
        tables: Sequence[Table],
        settings: MessagingSettings,
    ) -> None:
        super().__init__(f"{service}-messaging-pruner")
        self._service = service
        self._session_factory = session_factory
        self._tables = tuple(tables)
        for table in self._tables:
            prunable(table, datetime.now(UTC))  # refuses, at start, a table the rule does not know
            MESSAGING_ROWS_PRUNED.labels(service, table.name)  # the series at 0 before the first prune
        self._settings = settings

    async def prune_once(self, now: datetime | None = None) -> dict[str, int]:
        """Prune every table down to the retention; rows deleted per table."""
        pruned = {}
        for table in self._tables:
            cutoff = (now or datetime.now(UTC)) - retention(table, self._settings)
            total = 0
            while True:
                done = await prune_batch(self._session_factory, table, cutoff, self._settings.prune_batch_size)
                total += done
                if done < self._settings.prune_batch_size or self._stopping.is_set():
                    break
                await asyncio.sleep(0)  # let consumers and the relay run between batches
            if total:
                MESSAGING_ROWS_PRUNED.labels(self._service, table.name).inc(total)
                log.info("pruned %d %s.%s rows older than %s", total, table.schema, table.name, cutoff.isoformat())
            pruned[table.name] = total
        return pruned

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.prune_once()
            except Exception:  # a database hiccup must not end the loop: the next round prunes the rest
                log.exception("%s failed; trying again next round", self.name)
            await self.pause(self._settings.prune_interval_seconds)
