"""Autovacuum's work for a bench database, on a server that runs without it.

This machine's PostgreSQL has `autovacuum = off` (its CI configuration), production's has it on. Without it a
bench database is never analyzed: the planner keeps the statistics of the empty tables the migrations made and
picks plans for 6 rows when a period holds thousands (the intake dashboard's "who has not submitted" became a
nested loop over members × contributions, 300 ms at 1,500 members; docs/reliability.md). Every naptime this does
what autovacuum would decide to, with its default thresholds: ANALYZE a table once more than 50 + 10 % of its rows
changed since the last analyze, VACUUM it once more than 50 + 20 % of its rows are dead.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

NAPTIME_SECONDS = 30.0  # autovacuum_naptime is 60 s; a bench step lasts two minutes
DUE = """
    SELECT format('%I.%I', schemaname, relname) AS name,
           n_mod_since_analyze > 50 + 0.1 * n_live_tup AS analyze,
           n_dead_tup > 50 + 0.2 * n_live_tup AS vacuum
    FROM pg_stat_user_tables
    WHERE n_mod_since_analyze > 50 + 0.1 * n_live_tup OR n_dead_tup > 50 + 0.2 * n_live_tup
"""


async def autovacuum_once(dsn: str) -> list[str]:
    """Vacuum and analyze what autovacuum would now; what was done, as `VACUUM ANALYZE name` or `ANALYZE name`."""
    connection = await asyncpg.connect(dsn)
    try:
        done = []
        for row in await connection.fetch(DUE):
            command = f"{'VACUUM ' if row['vacuum'] else ''}ANALYZE {row['name']}"
            await connection.execute(command)
            done.append(command)
        return done
    finally:
        await connection.close()


@contextmanager
def emulated_autovacuum(database_url: str, naptime: float = NAPTIME_SECONDS) -> Iterator[None]:
    """Run autovacuum_once on the database every naptime seconds in a thread, until the block ends."""
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    stopping = threading.Event()

    def loop() -> None:
        while not stopping.wait(naptime):
            try:
                asyncio.run(autovacuum_once(dsn))
            except (OSError, asyncpg.PostgresError):
                pass  # the database is going away with the bench, or busy: the next round tries again

    worker = threading.Thread(target=loop, name="emulated-autovacuum", daemon=True)
    worker.start()
    try:
        yield
    finally:
        stopping.set()
        worker.join(timeout=60)
