"""The asyncpg read pool: named parameters, snapshots, restarts and outages on a private cluster, its metrics."""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from habitat_common.db import is_database_unavailable
from habitat_common.private_postgres import private_postgres_cluster
from habitat_common.read_pool import FREE_CONNECTION_WAIT_SECONDS, ReadPool, positional
from habitat_common.settings import DatabaseSettings
from habitat_common.web.errors import install_error_handlers
from prometheus_client import REGISTRY
from sqlalchemy import text

pytestmark = pytest.mark.integration

NOT_HANGING_SECONDS = 15  # generous: an outage must be answered, not waited out (see test_database_outage)


@pytest.fixture(scope="module")
def cluster():
    with private_postgres_cluster() as cluster:
        yield cluster


def pool_for(url: str, size: int = 3) -> ReadPool:
    return ReadPool(DatabaseSettings(url=url, read_pool_size=size), service=f"t{uuid.uuid4().hex[:8]}")


def test_named_parameters_become_positional_once_each_and_literals_are_left_alone():
    sql, names = positional(text("SELECT to_char(now(), 'HH24:MI:SS'), :b, :a WHERE :b = :b"))
    assert sql == "SELECT to_char(now(), 'HH24:MI:SS'), $1, $2 WHERE $1 = $1"
    assert names == ("b", "a")


async def test_reads_rows_with_named_parameters(cluster):
    reads = pool_for(cluster.url)
    try:
        assert reads.checkedout() == 0  # nothing opened before the first read
        rows = await reads.fetch(text("SELECT g, g * :k AS twice FROM generate_series(1, :n) g"), {"n": 3, "k": 2})
        assert [(r["g"], r["twice"]) for r in rows] == [(1, 2), (2, 4), (3, 6)]
        assert await reads.fetchrow(text("SELECT 1 WHERE false")) is None
        assert reads.checkedout() == 0  # returned to the pool
    finally:
        await reads.close()


async def test_a_snapshot_does_not_see_what_commits_during_it(cluster):
    reads = pool_for(cluster.url, size=1)  # one connection: what follows reuses the snapshot's
    writer = await asyncpg.connect(cluster.url.replace("+asyncpg", ""))
    try:
        await writer.execute("CREATE TABLE IF NOT EXISTS snap (n int); TRUNCATE snap; INSERT INTO snap VALUES (1)")
        async with reads.snapshot() as snapshot:
            first = await snapshot.fetchrow(text("SELECT count(*) AS n FROM snap"))
            await writer.execute("INSERT INTO snap VALUES (2)")
            second = await snapshot.fetchrow(text("SELECT count(*) AS n FROM snap"))
            with pytest.raises(asyncpg.exceptions.ReadOnlySQLTransactionError):
                await snapshot.fetch(text("INSERT INTO snap VALUES (3)"))
        assert first["n"] == second["n"] == 1
        # released without asyncpg's reset query, the connection is still out of the snapshot's transaction
        assert (await reads.fetchrow(text("SELECT count(*) AS n FROM snap")))["n"] == 2
        with pytest.raises(RuntimeError):
            async with reads.snapshot() as snapshot:
                await snapshot.fetch(text("SELECT count(*) FROM snap"))
                raise RuntimeError("a use case fails while reading")
        await writer.execute("INSERT INTO snap VALUES (4)")
        # a statement of its own, not inside a lingering read-only REPEATABLE READ transaction
        row = await reads.fetchrow(
            text("SELECT count(*) AS n, current_setting('transaction_isolation') AS isolation FROM snap")
        )
        assert (row["n"], row["isolation"]) == (3, "read committed")
    finally:
        await writer.close()
        await reads.close()


async def test_pooled_connections_survive_a_restart_and_terminated_backends(cluster):
    reads = pool_for(cluster.url, size=3)
    try:
        # three connections in the pool at once, all of which the restart will break
        await asyncio.gather(*(reads.fetch(text("SELECT pg_sleep(0.2)")) for _ in range(3)))
        cluster.restart()
        for _ in range(4):
            assert (await reads.fetchrow(text("SELECT 1 AS one")))["one"] == 1
        # a backend ended under a pooled connection: the read is run once more on a fresh one
        admin = await asyncpg.connect(cluster.url.replace("+asyncpg", ""))
        try:
            await admin.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                " AND backend_type = 'client backend'"
            )
        finally:
            await admin.close()
        assert (await reads.fetchrow(text("SELECT 2 AS two")))["two"] == 2
    finally:
        await reads.close()


async def test_while_the_database_is_down_reads_answer_503_and_recover_by_themselves(cluster):
    reads = pool_for(cluster.url, size=2)
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/things")
    async def things() -> dict:
        return {"n": (await reads.fetchrow(text("SELECT 1 AS n")))["n"]}

    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
    try:
        assert (await client.get("/things")).json() == {"n": 1}
        cluster.stop()
        try:
            for _ in range(3):
                response = await asyncio.wait_for(client.get("/things"), NOT_HANGING_SECONDS)
                assert response.status_code == 503, response.text
                assert response.json()["error"]["code"] == "database_unavailable"
        finally:
            cluster.start()
        assert (await client.get("/things")).json() == {"n": 1}
    finally:
        await client.aclose()
        await reads.close()


async def test_an_unreachable_database_fails_the_read_within_the_connect_timeout_not_the_wait_for_a_connection():
    # TEST-NET-1 (RFC 5737) is never routed: the SYN goes unanswered (or is refused at once where unroutable)
    reads = ReadPool(
        DatabaseSettings(url="postgresql+asyncpg://postgres@192.0.2.1:5432/postgres", connect_timeout_seconds=1.0),
        service="unreachable",
    )
    started = time.monotonic()
    try:
        with pytest.raises(Exception) as raised:
            await asyncio.wait_for(reads.fetch(text("SELECT 1")), NOT_HANGING_SECONDS)
        assert is_database_unavailable(raised.value)
        # well under FREE_CONNECTION_WAIT_SECONDS: the connect timeout, not the wait for a free connection, ended it
        assert time.monotonic() - started < FREE_CONNECTION_WAIT_SECONDS
    finally:
        await reads.close()


async def test_the_pool_is_in_the_pool_gauges(cluster):
    reads = pool_for(cluster.url, size=4)
    try:
        await reads.fetch(text("SELECT 1"))
        labels = {"service": reads.service}
        assert REGISTRY.get_sample_value("habitat_db_pool_size", labels) == 4
        assert REGISTRY.get_sample_value("habitat_db_pool_connections_in_use", labels) == 0
        assert REGISTRY.get_sample_value("habitat_db_pool_acquire_seconds_count", labels) >= 1
    finally:
        await reads.close()
