"""The running stack on least privilege: each service has its own PostgreSQL roles and RabbitMQ user, and
consumers accept an event only from the service that owns it."""

from __future__ import annotations

import asyncio
import json
import re

import aio_pika
import asyncpg
import httpx
import pytest
from aiormq.exceptions import ChannelAccessRefused
from habitat_common.testing import docker_engine_reachable
from sqlalchemy.engine import make_url

from .broker import APPROVED, LEDGER_QUEUE, approved_envelope, metric_value, publish_raw
from .conftest import Habitat, eventually
from .dead_letter_api import dead_bodies
from .test_messaging import approve_capital

pytestmark = pytest.mark.e2e
SERVICES = ("identity", "contributions", "ledger")
# a container's broker cannot be given users with this machine's rabbitmqctl: the stack uses the administrator
own_broker_users = pytest.mark.skipif(docker_engine_reachable(), reason="broker users are made with rabbitmqctl")


def plain(url: str) -> str:
    return re.sub(r"^postgresql\+asyncpg://", "postgresql://", url)


async def fetch(url: str, sql: str):
    conn = await asyncpg.connect(plain(url))
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


def process_env(habitat: Habitat, service: str) -> dict[str, str]:
    env = habitat.config.env()
    return {k.removeprefix(f"{service.upper()}_"): v for k, v in env.items() if k.startswith(f"{service.upper()}_")}


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_runs_as_its_own_role(habitat: Habitat, service: str) -> None:
    database = make_url(habitat.config.database_url).database
    assert make_url(process_env(habitat, service)["DATABASE__URL"]).username == f"{database}_{service}"


@own_broker_users
@pytest.mark.parametrize("service", SERVICES)
def test_each_service_runs_as_its_own_broker_user(habitat: Habitat, service: str) -> None:
    env = process_env(habitat, service)
    assert env["RABBIT__URL"].split("//")[1].split(":")[0].endswith(f"_{service}")
    assert env["RABBIT__DECLARE_TOPOLOGY"] == "false"


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_ran_as_the_schema_owner(habitat: Habitat, service: str) -> None:
    rows = asyncio.run(fetch(habitat.config.database_url,
                             f"SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = '{service}'"))
    database = make_url(habitat.config.database_url).database
    assert [r["tableowner"] for r in rows] == [f"{database}_{service}_owner"]


@pytest.mark.parametrize("service, other", [("ledger", "contributions"), ("contributions", "identity"),
                                            ("identity", "ledger")])
def test_a_services_role_cannot_read_another_schema(habitat: Habitat, service: str, other: str) -> None:
    table = asyncio.run(fetch(habitat.config.database_url,
                              f"SELECT tablename FROM pg_tables WHERE schemaname = '{other}' LIMIT 1"))[0]["tablename"]
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        asyncio.run(fetch(process_env(habitat, service)["DATABASE__URL"], f"SELECT * FROM {other}.{table} LIMIT 1"))


@pytest.mark.parametrize("sql", ["CREATE TABLE ledger.sneaky (id int)", "CREATE TABLE public.sneaky (id int)"])
def test_a_services_role_cannot_create_tables(habitat: Habitat, sql: str) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        asyncio.run(fetch(process_env(habitat, "ledger")["DATABASE__URL"], sql))


async def publish(url: str, routing_key: str) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await (await channel.get_exchange("habitat.events")).publish(aio_pika.Message(b"{}"), routing_key=routing_key)


async def consume(url: str, queue: str) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        await (await channel.get_queue(queue)).get(fail=False)


@own_broker_users
def test_the_ledgers_broker_user_cannot_publish_a_contributions_event(habitat: Habitat) -> None:
    with pytest.raises(ChannelAccessRefused, match="access to topic"):
        asyncio.run(publish(process_env(habitat, "ledger")["RABBIT__URL"], APPROVED))


@own_broker_users
def test_the_contributions_broker_user_cannot_consume_the_ledgers_queue(habitat: Habitat) -> None:
    with pytest.raises(ChannelAccessRefused, match="access to queue"):
        asyncio.run(consume(process_env(habitat, "contributions")["RABBIT__URL"], LEDGER_QUEUE))


def test_an_approval_claiming_another_producer_is_dead_lettered_and_credits_nothing(habitat: Habitat) -> None:
    member_id, member = habitat.active_member()
    _, steward = habitat.active_member("steward")
    contribution = approve_capital(habitat, member, steward, "40.00")
    eventually(lambda: habitat.capital(member, member_id) == ("40.00", "40.00"))
    forged = approved_envelope(habitat.config.database_url, contribution["id"])
    forged |= {"event_id": "00000000-0000-4000-8000-0000000000f1", "producer": "identity"}

    def refused() -> float:
        text = httpx.get(habitat.config.service_url("ledger-worker") + "/metrics", timeout=5.0).text
        return metric_value(text, "habitat_events_failed_total", reason="wrong_producer")

    before = refused()
    publish_raw(habitat.config.amqp_url, APPROVED, json.dumps(forged).encode(), forged["event_id"])
    eventually(lambda: refused() >= before + 1)
    dead = eventually(lambda: [json.loads(body) for body in dead_bodies(habitat, LEDGER_QUEUE)
                               if json.loads(body).get("event_id") == forged["event_id"]])
    assert [envelope["producer"] for envelope in dead] == ["identity"]
    assert habitat.capital(member, member_id) == ("40.00", "40.00")
