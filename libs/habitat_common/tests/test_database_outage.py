"""PostgreSQL restarts and outages on a private cluster: pooled connections recover, requests fail fast (503)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from habitat_common.db import make_engine
from habitat_common.settings import DatabaseSettings
from habitat_common.testing import private_postgres_cluster

pytestmark = pytest.mark.integration


@pytest.fixture
def cluster():
    with private_postgres_cluster() as cluster:
        yield cluster


async def test_pooled_connections_survive_a_restart(cluster):
    engine = make_engine(DatabaseSettings(url=cluster.url, pool_size=3))
    try:
        # fill the pool with several connections, all of which the restart will break
        conns = [await engine.connect() for _ in range(3)]
        for conn in conns:
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
        for conn in conns:
            await conn.close()
        cluster.restart()
        for _ in range(3):
            async with engine.connect() as conn:
                assert (await conn.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()
