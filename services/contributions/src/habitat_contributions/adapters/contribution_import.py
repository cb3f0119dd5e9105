"""PostgreSQL side of a contributions import: one transaction, a COPY into staging, set-based passes and write."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from habitat_common.contracts import ContributionsImportedV1
from habitat_common.messaging.outbox import outbox_row
from habitat_common.telemetry import current_correlation_id
from habitat_contributions.adapters import import_sql, import_write_sql
from habitat_contributions.adapters.uow import PRODUCER
from habitat_contributions.domain.contribution_rows import STAGED, STATUSES, TYPES
from habitat_contributions.domain.corrections import Entry, Figures
from habitat_contributions.domain.import_problems import ImportSummary
from habitat_contributions.domain.import_rows import Member, Names, Period, ResolvedRow, Stored
from habitat_contributions.domain.statuses import ContributionStatus, ContributionType
from habitat_contributions.domain.valuation import CENT

EVENT_BATCH = 1000  # contributions per ContributionsImportedV1 (the contract's maximum)
COPY_CHUNK = 256 * 1024  # characters per COPY message
_TABS = len(STAGED) - 1
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class PostgresContributionImportStore:
    """Implements service_layer.ports.ContributionImportStore on one pooled connection (asyncpg underneath,
    for COPY); everything is rolled back unless commit() is called."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._db: Any = None
        self._transaction: Any = None

    async def __aenter__(self) -> Self:
        self._connection = await self._engine.connect()
        try:
            raw = await self._connection.get_raw_connection()
            self._db = raw.driver_connection
            transaction = self._db.transaction()
            await transaction.start()
            self._transaction = transaction
            for setting in import_sql.SETTINGS:
                await self._db.execute(setting)
            await self._db.execute(import_sql.STAGING_TABLE)
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            if self._transaction is not None:
                await self._transaction.rollback()
        finally:
            self._transaction = None
            await self._connection.close()

    async def stage(self, batches: AsyncIterable[list[tuple]]) -> None:
        await self._db.copy_to_table(
            import_sql.STAGING, source=_as_copy_text(batches), columns=STAGED, format="text", null=""
        )

    async def resolve(self) -> Names:
        for lock in import_sql.LOCKS:
            await self._db.execute(lock)
        await self._db.execute(import_sql.RESOLVE)
        await self._db.execute(import_sql.RESOLVED_BY_LINE)
        members = {row[0]: Member(*row[1:]) for row in await self._db.fetch(import_sql.NAMED_MEMBERS)}
        periods = {row[0]: Period(*row[1:]) for row in await self._db.fetch(import_sql.NAMED_PERIODS)}
        return Names(members, periods)

    async def resolved_rows(self, chunk: int) -> AsyncIterator[Sequence[ResolvedRow]]:
        cursor = await self._db.cursor(import_sql.RESOLVED_ROWS)
        while records := await cursor.fetch(chunk):
            yield _ResolvedRecords(records)

    async def summarize(self) -> ImportSummary:
        by_status = dict.fromkeys(sorted(STATUSES), 0)
        by_type = dict.fromkeys(sorted(TYPES), 0)
        created_by_type = dict.fromkeys(sorted(TYPES), 0)
        rows = created = 0
        approved_value = Decimal(0)
        for group in await self._db.fetch(import_sql.SUMMARY):
            by_status[group["status"]] += group["rows"]
            by_type[group["type"]] += group["rows"]
            rows += group["rows"]
            created += group["created"]
            created_by_type[group["type"]] += group["created"]
            approved_value += group["approved_value"]
        return ImportSummary(
            rows, created, rows - created, by_status, by_type, approved_value.quantize(CENT), created_by_type
        )

    async def sample(self, size: int) -> list[dict]:
        return [dict(row) for row in await self._db.fetch(import_sql.SAMPLE, size)]

    async def write_lines(self, import_id: uuid.UUID, *, actor_id: uuid.UUID, first: int, last: int) -> int:
        return await self._db.fetchval(import_write_sql.WRITE_LINES, import_id, actor_id, first, last)

    async def record_run(self, import_id: uuid.UUID, *, actor_id: uuid.UUID, rows: int, created: int) -> None:
        # The envelope is built by the shared outbox helper (producer, trace headers, correlation id) and kept
        # with the batches; PostgreSQL fills in each batch's event id and payload when it stages them.
        empty = ContributionsImportedV1(import_id=import_id, batch=1, batches=1, contributions=[])
        _, template = outbox_row(empty, producer=PRODUCER, correlation_id=current_correlation_id())
        slots = {"event_id": import_write_sql.EVENT_ID_SLOT.strip('"'), "payload": import_write_sql.PAYLOAD_SLOT.strip('"')}
        envelope_text = json.dumps(template["payload"] | slots)
        await self._db.fetchval(
            import_write_sql.RECORD_RUN,
            import_id,
            actor_id,
            rows,
            created,
            envelope_text,
            EVENT_BATCH,
            json.dumps(template["headers"]),
        )

    async def commit(self) -> None:
        await self._transaction.commit()
        self._transaction = None


# Positions in import_sql.RESOLVED_ROWS: the row's values up to first_line, then target, approved_before, the
# description of a row imported before and the stored values.
_TARGET, _APPROVED, _DESCRIPTION = 16, 17, 18


def _resolved(record: Any) -> ResolvedRow:
    """A resolved row from its record; only a row imported before or correcting another needs more than the
    record's first values in order."""
    description, target, approved = record[_DESCRIPTION], record[_TARGET], record[_APPROVED]
    if description is None and target is None:
        return ResolvedRow(*record[:_TARGET])
    if target is not None:
        id, member_id, kind, status, corrects, *figures = target
        target = Entry(id, member_id, ContributionType(kind), ContributionStatus(status), corrects, Figures(*figures))
    stored = None if description is None else Stored(*record[_DESCRIPTION + 1 :])
    return ResolvedRow(
        *record[:_TARGET],
        stored=stored,
        target=target,
        approved_before=None if approved is None else Figures(*approved),
        description=description,
    )


class _ResolvedRecords(Sequence[ResolvedRow]):
    """A chunk of resolved rows, each made from its record as it is read: by whoever reads them, so the passes
    make them in their thread while the database writes."""

    __slots__ = ("_records",)

    def __init__(self, records: list[Any]) -> None:
        self._records = records

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [_resolved(record) for record in self._records[index]]
        return _resolved(self._records[index])

    def __iter__(self) -> Iterator[ResolvedRow]:
        return map(_resolved, self._records)


def copy_text(rows: list[tuple[str, ...]]) -> str:
    """Staged rows in PostgreSQL's COPY text format with NULL '' (no staged value is legitimately empty).

    Joined in one go; only when the batch holds a backslash, tab, newline or carriage return inside a value
    are its values escaped one by one."""
    text = "\n".join(map("\t".join, rows)) + "\n"
    if "\\" in text or "\r" in text or text.count("\n") != len(rows) or text.count("\t") != _TABS * len(rows):
        text = "".join("\t".join(value.translate(_ESCAPES) for value in row) + "\n" for row in rows)
    return text


async def _as_copy_text(batches: AsyncIterable[list[tuple[str, ...]]]) -> AsyncIterator[bytes]:
    pending: list[str] = []
    size = 0
    async for rows in batches:
        pending.append(copy_text(rows))
        size += len(pending[-1])
        if size >= COPY_CHUNK:
            yield "".join(pending).encode()
            pending, size = [], 0
    if pending:
        yield "".join(pending).encode()


class PostgresImportEvents:
    """Implements service_layer.ports.ImportEvents: import_write_sql.STAGE_EVENTS in a transaction of its own."""

    ROUTING_KEY = ContributionsImportedV1.routing_key()

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def stage_pending(self, limit: int) -> int:
        async with self._engine.connect() as connection:
            raw = await connection.get_raw_connection()
            db = raw.driver_connection
            async with db.transaction():
                await db.execute(import_sql.PAYLOAD_COMPRESSION)
                return await db.fetchval(import_write_sql.STAGE_EVENTS, self.ROUTING_KEY, limit)

    async def backlog(self) -> tuple[int, datetime | None]:
        async with self._engine.connect() as connection:
            row = (await connection.exec_driver_sql(import_write_sql.PENDING_EVENTS)).one()
        return row.batches, row.oldest
