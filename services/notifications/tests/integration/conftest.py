"""A throw-away database per test session, built by `alembic upgrade head`; tables emptied per test; an
in-process SMTP server per test."""

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
from habitat_notifications import bootstrap
from habitat_notifications.config import NotificationsSettings, SenderSettings, SmtpSettings
from habitat_notifications.entrypoints.http import create_app
from tests.integration.smtp import ScriptedHandler, smtp_server

SERVICE_ROOT = Path(__file__).resolve().parents[2]
TABLES = (
    "message",
    "preference",
    "member_replica",
    "period_replica",
    "contribution_replica",
    "reminder_run",
    "outbox",
    "inbox",
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
    with temporary_database("notifications_test") as url:
        command.upgrade(alembic_config(url), "head")
        yield url


@pytest.fixture
def smtp() -> Iterator[tuple[ScriptedHandler, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def mailbox(smtp) -> ScriptedHandler:
    return smtp[0]


@pytest.fixture
def settings(database_url: str, smtp) -> NotificationsSettings:
    return NotificationsSettings(
        database=DatabaseSettings(url=database_url, pool_size=4, max_overflow=2),
        smtp=SmtpSettings(port=smtp[1], starttls=False, from_address="mail@coop.example", timeout_seconds=5),
        # retries due at once: the tests drive the sender themselves
        sender=SenderSettings(max_attempts=3, retry_base_seconds=0.001, retry_max_seconds=0.001, retry_jitter=0),
        coop_name="Acorn Co-op",
        public_url="https://coop.example",
    )


@pytest.fixture
async def container(settings: NotificationsSettings) -> AsyncIterator[bootstrap.Container]:
    container = bootstrap.build(settings)
    async with container.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {', '.join('notifications.' + t for t in TABLES)}"))
    yield container
    await container.engine.dispose()


@pytest.fixture
def keys() -> LocalKeys:
    return LocalKeys()


@pytest.fixture
async def client(container, settings, keys):
    app = create_app(settings, verifier=keys)
    app.state.container = container
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://notifications") as client:
        client.app = app  # lets a test give the app a container with its own clock
        yield client
