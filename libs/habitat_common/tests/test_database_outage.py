"""PostgreSQL restarts and outages on a private cluster: pooled connections recover, requests fail fast (503)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from habitat_common.db import make_engine
from habitat_common.private_postgres import private_postgres_cluster
from habitat_common.settings import DatabaseSettings

pytestmark = pytest.mark.integration

# Not a speed claim: a hang would wait out SQLAlchemy's 30 s pool checkout, asyncpg's 60 s default connect
# timeout or the 60 s statement timeout; an answer well inside this generous limit shows the outage is
# answered (503) rather than waited out, however slow the machine.
NOT_HANGING_SECONDS = 15


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


def outage_app(engine):
    """A service-shaped app: the shared error handlers and /readyz every service installs, one endpoint reading."""
    from fastapi import FastAPI

    from habitat_common.db import database_is_reachable
    from habitat_common.web.errors import install_error_handlers
    from habitat_common.web.observability import health_router

    app = FastAPI()
    install_error_handlers(app)

    async def database() -> bool:
        return await database_is_reachable(engine)

    app.include_router(health_router({"database": database}))

    @app.get("/things")
    async def things() -> dict:
        async with engine.connect() as conn:
            return {"n": (await conn.execute(text("SELECT 1"))).scalar()}

    return app


async def test_while_the_database_is_down_requests_answer_503_instead_of_hanging_and_recover_by_themselves(cluster):
    import httpx

    engine = make_engine(DatabaseSettings(url=cluster.url, pool_size=2))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=outage_app(engine)), base_url="http://t")
    try:
        assert (await client.get("/things")).json() == {"n": 1}
        assert (await client.get("/readyz")).status_code == 200

        cluster.stop()
        for _ in range(3):  # pooled (now broken) connections and fresh attempts alike
            response = await asyncio.wait_for(client.get("/things"), NOT_HANGING_SECONDS)
            assert response.status_code == 503, response.text
            assert response.json()["error"]["code"] == "database_unavailable"
            assert response.json()["error"]["message"]
            assert int(response.headers["retry-after"]) > 0
        ready = await asyncio.wait_for(client.get("/readyz"), NOT_HANGING_SECONDS)
        assert ready.status_code == 503 and ready.json()["checks"]["database"] is False

        cluster.start()
        assert (await client.get("/things")).json() == {"n": 1}
        assert (await client.get("/readyz")).status_code == 200
    finally:
        await client.aclose()
        await engine.dispose()


async def test_an_unreachable_database_answers_503_instead_of_hanging():
    """A host that does not answer at all (no refusal): the connect timeout bounds the wait."""
    import httpx

    # TEST-NET-1 (RFC 5737) is never routed; the SYN goes unanswered (or is refused at once where unroutable)
    engine = make_engine(DatabaseSettings(url="postgresql+asyncpg://postgres@192.0.2.1:5432/postgres"))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=outage_app(engine)), base_url="http://t")
    try:
        response = await asyncio.wait_for(client.get("/things"), NOT_HANGING_SECONDS)
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "database_unavailable"
        assert (await asyncio.wait_for(client.get("/readyz"), NOT_HANGING_SECONDS)).status_code == 503
    finally:
        await client.aclose()
        await engine.dispose()


def test_other_errors_of_those_types_stay_500():
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from habitat_common.web.errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)

    @app.get("/file")
    async def file() -> dict:
        raise FileNotFoundError("/nope")

    assert TestClient(app, raise_server_exceptions=False).get("/file").status_code == 500
