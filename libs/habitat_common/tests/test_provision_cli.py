"""The deploy's one-shot (python -m habitat_common.provisioning) on a database and vhost of its own."""

from __future__ import annotations

import asyncio

import aio_pika
import asyncpg
import pytest

from habitat_common.provisioning import SERVICES
from habitat_common.provisioning import __main__ as cli
from habitat_common.provisioning.postgres import drop_roles, service_roles
from habitat_common.provisioning.rabbitmq import (
    broker_users,
    delete_with_rabbitmqctl,
    import_with_rabbitmqctl,
    user_url,
)
from habitat_common.testing import docker_engine_reachable, temporary_database, temporary_vhost
from sqlalchemy.engine import make_url

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(docker_engine_reachable(), reason="broker users are checked with rabbitmqctl on this machine"),
]


@pytest.fixture
def deployment(monkeypatch):
    with temporary_database("habitat_provision") as database_url, temporary_vhost("habitat_provision") as amqp_url:
        prefix = make_url(database_url).database
        monkeypatch.setenv("HABITAT_PROVISION_POSTGRES_URL", database_url.replace("+asyncpg", ""))
        monkeypatch.setenv("HABITAT_PROVISION_AMQP_URL", amqp_url)
        monkeypatch.setenv("HABITAT_PROVISION_PREFIX", prefix)
        for service in SERVICES:
            for secret in ("DB_OWNER_PASSWORD", "DB_PASSWORD", "BROKER_PASSWORD"):
                monkeypatch.setenv(f"HABITAT_PROVISION_{service.upper()}__{secret}", f"{service}-{secret.lower()}")
        sent = []

        def management_api(url, admin, document):
            # this machine's broker has no management plugin: the same document goes in through rabbitmqctl
            sent.append((url, admin))
            import_with_rabbitmqctl(document)

        monkeypatch.setattr(cli, "import_over_http", management_api)
        try:
            yield database_url, amqp_url, prefix, sent
        finally:
            asyncio.run(drop_roles(database_url, [service_roles(prefix, s) for s in SERVICES]))
            delete_with_rabbitmqctl(broker_users(prefix).values())


async def passwords_set(database_url: str, prefix: str) -> dict[str, bool]:
    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        rows = await conn.fetch("SELECT rolname, rolpassword IS NOT NULL AS has FROM pg_authid WHERE rolname LIKE $1",
                                f"{prefix}\\_%")
    finally:
        await conn.close()
    return {r["rolname"]: r["has"] for r in rows}


async def can_connect(url: str) -> None:
    connection = await aio_pika.connect(url)
    await connection.close()


def test_one_shot_creates_roles_with_passwords_topology_and_broker_users_and_runs_again(deployment) -> None:
    database_url, amqp_url, prefix, sent = deployment
    cli.main()
    cli.main()
    expected = {name for s in SERVICES for name in (f"{prefix}_{s}", f"{prefix}_{s}_owner")}
    assert asyncio.run(passwords_set(database_url, prefix)) == dict.fromkeys(expected, True)
    assert sent[0] == ("http://rabbitmq:15672", ("guest", "guest"))
    for service, user in broker_users(prefix).items():
        asyncio.run(can_connect(user_url(amqp_url, user.name, f"{service}-broker_password")))
