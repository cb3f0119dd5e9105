"""Fixtures for the shared library's integration tests: a database schema and a vhost of their own."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from habitat_common.db import make_engine, make_sessionmaker, schema_metadata
from habitat_common.messaging.inbox import inbox_table
from habitat_common.messaging.outbox import outbox_table
from habitat_common.settings import DatabaseSettings
from habitat_common.testing import temporary_database, temporary_vhost


@pytest.fixture(scope="session")
def database_url():
    with temporary_database("habitat_common") as url:
        yield url


@pytest.fixture(scope="session")
def amqp_url():
    with temporary_vhost("habitat_common") as url:
        yield url


@pytest.fixture
async def tables(database_url):
    metadata = schema_metadata("sample")
    outbox, inbox = outbox_table(metadata), inbox_table(metadata)
    engine = make_engine(DatabaseSettings(url=database_url))
    async with engine.begin() as conn:
        await conn.execute(text('DROP SCHEMA IF EXISTS "sample" CASCADE'))
        await conn.execute(text('CREATE SCHEMA "sample"'))
        await conn.run_sync(metadata.create_all)
    yield engine, make_sessionmaker(engine), outbox, inbox
    await engine.dispose()
