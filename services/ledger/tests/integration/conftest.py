"""A throw-away database migrated by Alembic; each test runs in a transaction rolled back afterwards."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from habitat_common.settings import DatabaseSettings
from habitat_common.testing import temporary_database
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from habitat_ledger.adapters.orm import start_mappers
from habitat_ledger.adapters.uow import SqlAlchemyUnitOfWork
from habitat_ledger.config import LedgerSettings
from tests.ledger_db import alembic

os.environ.setdefault("HABITAT_TEST_NATIVE", "1")


def pytest_collection_modifyitems(items):
    for item in items:
        if "integration" in str(item.path):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with temporary_database("ledger_test") as url:
        alembic(url, ("upgrade", "head"))
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> LedgerSettings:
    return LedgerSettings(database=DatabaseSettings(url=database_url))


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    start_mappers()
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        transaction = await conn.begin()
        yield conn
        await transaction.rollback()


@pytest.fixture
def session_factory(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
def uow_factory(session_factory):
    return lambda: SqlAlchemyUnitOfWork(session_factory)


@pytest.fixture
async def api(settings, connection, session_factory):
    """The HTTP app on the test's transaction; callers default to an admin."""
    import httpx
    from habitat_common.testing import LocalKeys

    from habitat_ledger.entrypoints.http import create_app
    from tests.ledger_api import Api
    from tests.ledger_db import TransactionReads

    keys = LocalKeys()
    app = create_app(settings, keys, session_factory=session_factory, reads=TransactionReads(connection))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ledger") as client:
        yield Api(client, keys)
