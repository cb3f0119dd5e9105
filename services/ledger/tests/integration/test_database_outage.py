"""The ledger's own app while its PostgreSQL (a private cluster, never the shared one) is down and back."""

from __future__ import annotations

import asyncio

import httpx
from habitat_common.private_postgres import private_postgres_cluster
from habitat_common.settings import DatabaseSettings
from habitat_common.testing import LocalKeys

from habitat_ledger.config import LedgerSettings
from habitat_ledger.entrypoints.http import create_app
from tests.ledger_api import Api
from tests.ledger_db import alembic

# Not a speed claim: a hang would wait out SQLAlchemy's 30 s pool checkout or the 60 s statement timeout;
# an answer well inside this generous limit shows the outage is answered, however slow the machine.
NOT_HANGING_SECONDS = 15


async def test_ledger_answers_503_while_postgres_is_down_and_recovers_without_a_restart():
    with private_postgres_cluster() as cluster:
        alembic(cluster.url, ("upgrade", "head"))
        keys = LocalKeys()
        app = create_app(LedgerSettings(database=DatabaseSettings(url=cluster.url)), keys)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://ledger"
        ) as client:
            api = Api(client, keys)
            try:
                assert (await api.get("/periods")).status_code == 200
                assert (await client.get("/readyz")).json()["checks"]["database"] is True

                cluster.stop()
                down = await asyncio.wait_for(api.get("/periods"), NOT_HANGING_SECONDS)
                assert down.status_code == 503, down.text
                assert down.json()["error"]["code"] == "database_unavailable"
                assert down.headers["retry-after"]
                ready = await asyncio.wait_for(client.get("/readyz"), NOT_HANGING_SECONDS)
                assert ready.status_code == 503 and ready.json()["checks"]["database"] is False

                cluster.start()
                assert (await api.get("/periods")).status_code == 200
                assert (await client.get("/readyz")).json()["checks"]["database"] is True
            finally:
                await app.state.ledger.engine.dispose()
