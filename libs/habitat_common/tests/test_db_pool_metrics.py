"""Connection pool metrics against a real PostgreSQL: capacity, connections in use, callers waiting, acquire time."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from habitat_common.db import make_engine
from habitat_common.settings import DatabaseSettings
from prometheus_client import REGISTRY
from sqlalchemy import text

pytestmark = pytest.mark.integration


def pool_value(name: str, service: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"service": service})


@pytest.fixture
async def small_pool(database_url):
    """An engine of its own service label with room for 2 connections (1 + 1 overflow)."""
    service = f"pooltest_{uuid.uuid4().hex[:8]}"
    settings = DatabaseSettings(url=database_url, pool_size=1, max_overflow=1)
    engine = make_engine(settings, service=service)
    yield engine, service
    await engine.dispose()


async def test_an_engine_exports_its_capacity_and_connections_in_use(small_pool):
    engine, service = small_pool
    assert pool_value("habitat_db_pool_size", service) == 2
    assert pool_value("habitat_db_pool_connections_in_use", service) == 0
    assert pool_value("habitat_db_pool_acquire_seconds_count", service) == 0  # pre-initialised with the engine
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        assert pool_value("habitat_db_pool_connections_in_use", service) == 1
    assert pool_value("habitat_db_pool_connections_in_use", service) == 0
    assert pool_value("habitat_db_pool_acquire_seconds_count", service) == 1


async def test_callers_beyond_the_capacity_wait_and_their_wait_is_timed(small_pool):
    engine, service = small_pool
    callers = 5
    release = asyncio.Event()
    before = pool_value("habitat_db_pool_acquire_seconds_count", service)

    async def hold() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            await release.wait()

    tasks = [asyncio.create_task(hold()) for _ in range(callers)]
    seen_waiting = 0.0
    for _ in range(200):  # until the two connections are taken and the other three callers queue for them
        seen_waiting = pool_value("habitat_db_pool_waiting", service)
        if seen_waiting == callers - 2:
            break
        await asyncio.sleep(0.01)
    assert seen_waiting == callers - 2
    assert pool_value("habitat_db_pool_connections_in_use", service) == 2
    await asyncio.sleep(0.6)  # the waiters wait at least this long
    release.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 20)
    assert pool_value("habitat_db_pool_waiting", service) == 0
    assert pool_value("habitat_db_pool_connections_in_use", service) == 0
    assert pool_value("habitat_db_pool_acquire_seconds_count", service) - before == callers
    waited_long = pool_value("habitat_db_pool_acquire_seconds_count", service) - REGISTRY.get_sample_value(
        "habitat_db_pool_acquire_seconds_bucket", {"service": service, "le": "0.5"}
    )
    assert waited_long == callers - 2  # the three queued callers took over 0.5 s to get a connection


async def test_a_disposed_engine_counts_once_and_a_dropped_one_not_at_all(database_url):
    service = f"pooltest_{uuid.uuid4().hex[:8]}"
    engine = make_engine(DatabaseSettings(url=database_url, pool_size=3, max_overflow=0), service=service)
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    await engine.dispose()  # the engine keeps a fresh pool: still one pool of 3
    assert pool_value("habitat_db_pool_size", service) == 3
    del engine, connection
    import gc

    gc.collect()
    assert pool_value("habitat_db_pool_size", service) is None
