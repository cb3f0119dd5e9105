"""Hot reads straight on asyncpg: the pages every member opens (`/me`, the contributions list, the statement).

A read through the ORM session pays a pre-ping, a BEGIN and a ROLLBACK round trip and SQLAlchemy's statement
and result machinery around its one statement: ~0.95 ms of client CPU against ~0.19 ms for the same row from an
asyncpg pool (measured on the 2-core dev box, docs/performance.md). A ReadPool runs one statement in autocommit
(a single statement sees one snapshot) or several in one read-only REPEATABLE READ snapshot.

It needs no ping: asyncpg's pool replaces a connection the server closed (a restart) when it is next acquired,
and a statement that finds its connection gone before asyncpg noticed is run once more on a fresh one (reads
only, so running one again is harmless). Failures to reach the database surface as asyncpg / OS errors that
habitat_common.db.is_database_unavailable recognises, so HTTP answers 503 as for the engine. The pool is made
on first use: processes that never read this way (workers, CLIs) hold no connection for it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import asyncpg
from opentelemetry import trace
from sqlalchemy import TextClause
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

from habitat_common.db_pool import register_pool
from habitat_common.metrics import DB_POOL_ACQUIRE
from habitat_common.settings import DatabaseSettings

_tracer = trace.get_tracer("habitat_common.read_pool")
# Waiting for a free connection under load is not an outage: a busy pool makes a read wait up to this long
# (SQLAlchemy's pool waits 30 s). Opening a connection is still bounded by connect_timeout_seconds, so a
# database that is down or does not answer still fails the read within that (503, not a hang).
FREE_CONNECTION_WAIT_SECONDS = 10.0
# the server ended the connection under us (restart, pg_terminate_backend) before asyncpg saw it go
_GONE = (
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,  # the server's goodbye arrived in the middle of our statement
    asyncpg.exceptions.OperatorInterventionError,  # admin or crash shutdown ended the session
)


@lru_cache(maxsize=512)
def positional(clause: TextClause) -> tuple[str, tuple[str, ...]]:
    """A `:name` SQL text as asyncpg's `$n` form and the parameter names in position order (cached per text)."""
    compiled = clause.compile(dialect=asyncpg_dialect())
    return compiled.string, tuple(compiled.positiontup or ())


def statement(clause: TextClause, params: Mapping[str, Any] | None) -> tuple[str, list[Any]]:
    """asyncpg's SQL for the clause and its arguments in position order."""
    sql, names = positional(clause)
    return sql, [params[name] for name in names] if params else []


async def _nothing_to_reset(_: asyncpg.Connection) -> None:
    """Release without asyncpg's reset query (`pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`), a
    round trip and server work on every read: these reads set, lock, listen and declare nothing. asyncpg still
    rolls back a transaction left open before it calls this."""


def _dsn(settings: DatabaseSettings) -> str:
    url = settings.url.get_secret_value()
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


class ReadPool:
    """A lazily made asyncpg pool for read-only statements of one service."""

    def __init__(
        self, settings: DatabaseSettings, *, service: str, server_settings: Mapping[str, str] | None = None
    ) -> None:
        self.service = f"{service}-reads"
        self._settings = settings
        self._server_settings = dict(server_settings or {})
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        self.waiting = 0
        DB_POOL_ACQUIRE.labels(self.service)
        register_pool(self)

    def capacity(self) -> int:
        """Connections the pool may hold at once."""
        return self._settings.read_pool_size

    def checkedout(self) -> int:
        """Connections in use now."""
        if self._pool is None:
            return 0
        return self._pool.get_size() - self._pool.get_idle_size()

    async def _open(self) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    _dsn(self._settings),
                    min_size=0,
                    max_size=self._settings.read_pool_size,
                    timeout=self._settings.connect_timeout_seconds,
                    command_timeout=self._settings.command_timeout_seconds,
                    max_inactive_connection_lifetime=self._settings.pool_recycle_seconds,
                    server_settings=self._server_settings or None,
                    reset=_nothing_to_reset,
                )
        return self._pool

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        pool = self._pool or await self._open()
        full = self.checkedout() >= self.capacity()
        started = time.perf_counter()
        if full:
            self.waiting += 1
        try:
            wait = max(FREE_CONNECTION_WAIT_SECONDS, self._settings.connect_timeout_seconds)
            connection = await pool.acquire(timeout=wait)
        finally:
            if full:
                self.waiting -= 1
            DB_POOL_ACQUIRE.labels(self.service).observe(time.perf_counter() - started)
        try:
            yield connection
        finally:
            await pool.release(connection)

    async def fetch(self, clause: TextClause, params: Mapping[str, Any] | None = None) -> list[asyncpg.Record]:
        """The rows of one statement (`:name` parameters taken from params), in autocommit."""
        sql, args = statement(clause, params)
        with _tracer.start_as_current_span("SELECT", kind=trace.SpanKind.CLIENT) as span:
            span.set_attribute("db.system", "postgresql")
            span.set_attribute("db.statement", sql)
            for attempt in (1, 2):
                try:
                    async with self._connection() as connection:
                        return await connection.fetch(sql, *args)
                except _GONE:
                    if attempt == 2:
                        raise
                    if self._pool is not None:  # what ended this connection (a restart) ended its siblings too
                        await self._pool.expire_connections()
        raise AssertionError("unreachable")

    async def fetchrow(self, clause: TextClause, params: Mapping[str, Any] | None = None) -> asyncpg.Record | None:
        """The first row of one statement, or None."""
        rows = await self.fetch(clause, params)
        return rows[0] if rows else None

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Snapshot]:
        """Several statements that must agree with each other, in one read-only REPEATABLE READ transaction."""
        with _tracer.start_as_current_span("snapshot", kind=trace.SpanKind.CLIENT) as span:
            span.set_attribute("db.system", "postgresql")
            async with (
                self._connection() as connection,
                connection.transaction(isolation="repeatable_read", readonly=True),
            ):
                yield Snapshot(connection)

    async def close(self) -> None:
        """Close the pool's connections (the process is stopping)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()


class Snapshot:
    """Statements on one connection inside ReadPool.snapshot()."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def fetch(self, clause: TextClause, params: Mapping[str, Any] | None = None) -> list[asyncpg.Record]:
        """The rows of one statement of the snapshot."""
        sql, args = statement(clause, params)
        return await self._connection.fetch(sql, *args)

    async def fetchrow(self, clause: TextClause, params: Mapping[str, Any] | None = None) -> asyncpg.Record | None:
        """The first row of one statement of the snapshot, or None."""
        rows = await self.fetch(clause, params)
        return rows[0] if rows else None
