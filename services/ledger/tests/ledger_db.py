"""Running Alembic (and other code that starts its own event loop) from tests; the read pool's reads on a
test's own transaction."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from alembic import command
from alembic.config import Config
from habitat_common.read_pool import Snapshot
from sqlalchemy import TextClause
from sqlalchemy.ext.asyncio import AsyncConnection

ALEMBIC_INI = Path(__file__).parents[1] / "alembic.ini"
T = TypeVar("T")


def in_thread(work: Callable[[], T]) -> T:
    """Run work in a fresh thread: asyncio.run() refuses to nest in the tests' running loop."""
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(work())
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if errors:
        raise errors[0]
    return results[0]


def alembic(url: str, *steps: tuple[str, ...]) -> None:
    """Run Alembic commands, e.g. ("upgrade", "head"), against the database at url."""
    config = Config(str(ALEMBIC_INI))
    config.attributes["database_url"] = url

    def run() -> None:
        for name, *args in steps:
            getattr(command, name)(config, *args)

    in_thread(run)


class TransactionReads:
    """What the app's ReadPool does, on the test's connection inside its transaction (rolled back afterwards),
    so the hot reads see what the test booked: the same SQL on the same asyncpg driver. No REPEATABLE READ
    of its own: the test's transaction is already open, and nothing else writes to it meanwhile."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def _driver(self) -> Snapshot:
        return Snapshot((await self._connection.get_raw_connection()).driver_connection)

    async def fetch(self, clause: TextClause, params: Mapping[str, Any] | None = None) -> list[asyncpg.Record]:
        return await (await self._driver()).fetch(clause, params)

    async def fetchrow(self, clause: TextClause, params: Mapping[str, Any] | None = None) -> asyncpg.Record | None:
        return await (await self._driver()).fetchrow(clause, params)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Snapshot]:
        yield await self._driver()

    async def close(self) -> None:
        """The connection is the test's, closed by its fixture."""
