"""Integration fixtures: one migrated temporary database per run, apps wired to it, helpers."""

from __future__ import annotations

import inspect
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from alembic import command
from alembic.config import Config
from habitat_common.settings import DatabaseSettings
from habitat_common.testing import LocalKeys, temporary_database
from habitat_identity.config import IdentitySettings
from habitat_identity.domain.commands import CreateMember
from habitat_identity.domain.model import Member
from habitat_identity.entrypoints.http import create_app
from habitat_identity.service_layer import members
from sqlalchemy import text


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # One event loop for the whole run, whatever the invoking config says: the session-scoped
    # engines and apps belong to it.
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here) and inspect.iscoroutinefunction(getattr(item, "function", None)):
            item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)


ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def in_thread(function, *args):
    """Run a blocking call that may use asyncio.run (alembic's env.py, temporary_database) off the test loop."""
    results: list = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            results.append(function(*args))
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return results[0]


def run_alembic(url: str, action: str, revision: str | None) -> None:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("sqlalchemy.url", url)
    args = (config,) if revision is None else (config, revision)
    in_thread(getattr(command, action), *args)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with temporary_database("identity_test") as url:
        run_alembic(url, "upgrade", "head")
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> IdentitySettings:
    return IdentitySettings(database=DatabaseSettings(url=database_url, pool_size=4, max_overflow=2))


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def app(settings):
    """The app as deployed: verifying tokens with identity's own keys."""
    app = create_app(settings)
    yield app
    await app.state.container.engine.dispose()


@pytest.fixture(scope="session")
def local_keys() -> LocalKeys:
    return LocalKeys()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def local_app(settings, local_keys):
    """The app verifying tokens minted by LocalKeys (role and object rules without signing in)."""
    app = create_app(settings, verifier=local_keys)
    yield app
    await app.state.container.engine.dispose()


@pytest_asyncio.fixture(autouse=True, loop_scope="session")
async def clean_tables(app) -> None:
    async with app.state.container.engine.begin() as conn:
        await conn.execute(
            text(
                "TRUNCATE identity.member, identity.refresh_token, identity.audit_log, identity.outbox, identity.inbox,"
                " identity.revocation, identity.login_throttle, identity.password_token, identity.member_change"
            )
        )


@pytest_asyncio.fixture(loop_scope="session")
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://identity") as c:
        yield c


@pytest_asyncio.fixture(loop_scope="session")
async def local_client(local_app) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(local_app), base_url="http://identity") as c:
        yield c


async def a_stored_member(app, *, role: str = "member", email: str | None = None) -> tuple[Member, str]:
    """Create a pending member through the use case; returns it and its temporary password."""
    container = app.state.container
    command = CreateMember(email or f"m{uuid.uuid4().hex[:8]}@example.org", "Some Member", role)
    # handed over in person: no invitation, so the outbox holds only what a test does itself
    created = await members.create_member(command, None, container.uow(), container.hasher, send_invitation=False)
    return created.member, created.temporary_password


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
