"""A throw-away database per test session, built by `alembic upgrade head`; tables emptied per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from habitat_common.settings import DatabaseSettings
from habitat_common.testing import LocalKeys, temporary_database
from habitat_contributions import bootstrap
from habitat_contributions.config import ContributionsSettings
from habitat_contributions.entrypoints.http import create_app

SERVICE_ROOT = Path(__file__).resolve().parents[2]
TABLES = (
    "contribution_approval",
    "contribution_revision",
    "contribution_message",
    "idempotency_key",
    "contribution",
    "import_event_batch",
    "contribution_import",
    "member_replica",
    "period_replica",
    "outbox",
    "inbox",
    "dead_letter",
    "member_change",
)

pytestmark = pytest.mark.integration


def alembic_config(url: str) -> Config:
    config = Config(str(SERVICE_ROOT / "alembic.ini"))
    config.attributes["url"] = url
    config.attributes["configure_logger"] = False
    return config


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with temporary_database("contributions_test") as url:
        command.upgrade(alembic_config(url), "head")
        yield url


@pytest.fixture
def settings(database_url: str) -> ContributionsSettings:
    return ContributionsSettings(database=DatabaseSettings(url=database_url, pool_size=4, max_overflow=2))


@pytest.fixture
async def container(settings: ContributionsSettings) -> AsyncIterator[bootstrap.Container]:
    container = bootstrap.build(settings)
    async with container.engine.begin() as conn:
        # contributions are never removed (migration 0005), except here between tests, triggers off
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        await conn.execute(text(f"TRUNCATE {', '.join('contributions.' + t for t in TABLES)}"))
    yield container
    await container.reads.close()
    await container.engine.dispose()


@pytest.fixture
def keys() -> LocalKeys:
    return LocalKeys()


@pytest.fixture
async def client(container, settings, keys):
    app = create_app(settings, verifier=keys)
    app.state.container = container
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://contributions") as client:
        client.container = container  # lets helpers seed replicas
        yield client
