"""RabbitMQ users per service: publish only the service's own routing keys, consume only its own queues.

The topology is declared by provisioning (an administrator), so no service user may configure anything;
writing is limited to `habitat.events`, and the topic permission narrows it to `<service>.*` keys, to
the service's own `habitat.dead-letter.<service>` exchange (bound to its own dead-letter queues only) and to
its own `habitat.retry.<service>` exchange (bound to its own work and delayed retry queues only).
Users, permissions and topic permissions travel as a RabbitMQ definitions document, imported with
`rabbitmqctl import_definitions` (this machine) or the management API (compose); both are idempotent.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import aio_pika
import httpx
from faststream.rabbit import RabbitBroker

from habitat_common.messaging.topology import (
    DEFAULT_RETRY_TIERS,
    EVENTS,
    SUBSCRIPTIONS,
    declare_topology,
    refusals_exchange,
    retry_exchange,
)
from habitat_common.provisioning import SERVICES

NOTHING = "^$"


@dataclass(frozen=True)
class BrokerUser:
    service: str
    name: str

    @property
    def queues(self) -> list[str]:
        return [s.queue_name for s in SUBSCRIPTIONS if s.consumer == self.service]

    @property
    def read(self) -> str:
        # its work queues and their dead-letter queues (its worker keeps what dies there)
        names = [n for s in SUBSCRIPTIONS if s.consumer == self.service for n in (s.queue_name, s.dead_letter_queue_name)]
        return "^(" + "|".join(map(re.escape, names)) + ")$" if names else NOTHING

    @property
    def write(self) -> str:
        # its events, what it refuses into its own dead-letter queues (with the reason) and what it puts back
        # into its own delayed retry queues
        exchanges = (EVENTS.name, refusals_exchange(self.service).name, retry_exchange(self.service).name)
        return "^(" + "|".join(map(re.escape, exchanges)) + ")$"

    @property
    def topic_write(self) -> str:
        return f"^{re.escape(self.service)}\\."


def broker_users(prefix: str, services: Iterable[str] = SERVICES) -> dict[str, BrokerUser]:
    return {service: BrokerUser(service, f"{prefix}_{service}") for service in services}


def definitions(vhost: str, users: Iterable[BrokerUser], passwords: Mapping[str, str]) -> dict:
    """The definitions document for users on vhost; passwords by user name."""
    users = list(users)
    return {
        "users": [{"name": u.name, "password": passwords[u.name], "tags": ""} for u in users],
        "permissions": [
            {"user": u.name, "vhost": vhost, "configure": NOTHING, "write": u.write, "read": u.read} for u in users
        ],
        "topic_permissions": [
            {"user": u.name, "vhost": vhost, "exchange": EVENTS.name, "write": u.topic_write, "read": NOTHING}
            for u in users
        ],
    }


def rabbitmqctl() -> str:
    return shutil.which("rabbitmqctl") or "rabbitmqctl"


def import_with_rabbitmqctl(document: dict) -> None:
    # on standard input: the passwords never touch a file
    subprocess.run(
        [rabbitmqctl(), "import_definitions", "--format", "json"], input=json.dumps(document).encode(),
        check=True, capture_output=True,
    )


def delete_with_rabbitmqctl(users: Iterable[BrokerUser]) -> None:
    """Delete the users, all at once: each rabbitmqctl call is a second or two of starting an Erlang VM."""
    calls = [
        subprocess.Popen([rabbitmqctl(), "delete_user", user.name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for user in users
    ]
    for call in calls:
        call.wait()


def import_over_http(management_url: str, admin: tuple[str, str], document: dict) -> None:
    response = httpx.post(f"{management_url.rstrip('/')}/api/definitions", json=document, auth=admin, timeout=30)
    response.raise_for_status()


async def declare_as_admin(amqp_url: str, *, delivery_limit: int, retry_tiers: int = DEFAULT_RETRY_TIERS) -> None:
    """Declare every exchange and queue with an administrator's connection, before any worker starts; retry_tiers
    delayed retry queues per consumer queue, as many as the services' retry schedule has delays."""
    broker = RabbitBroker(amqp_url, logger=None)
    await broker.connect()
    try:
        await declare_topology(broker, delivery_limit=delivery_limit, retry_tiers=retry_tiers)
    finally:
        await broker.stop()


def vhost_of(amqp_url: str) -> str:
    path = urlsplit(amqp_url).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def user_url(amqp_url: str, user: str, password: str) -> str:
    parts = urlsplit(amqp_url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"))


async def provision_broker_users(
    admin_amqp_url: str,
    *,
    prefix: str,
    delivery_limit: int,
    services: Iterable[str] = SERVICES,
    retry_tiers: int = DEFAULT_RETRY_TIERS,
) -> dict[str, str]:
    """Declare the topology as the administrator, then (re)create each service's user on its vhost with a
    fresh password (rabbitmqctl, this machine); returns each service's AMQP URL."""
    users = broker_users(prefix, services)
    passwords = {u.name: secrets.token_urlsafe(24) for u in users.values()}
    await declare_as_admin(admin_amqp_url, delivery_limit=delivery_limit, retry_tiers=retry_tiers)
    import_with_rabbitmqctl(definitions(vhost_of(admin_amqp_url), users.values(), passwords))
    urls = {service: user_url(admin_amqp_url, u.name, passwords[u.name]) for service, u in users.items()}
    for url in urls.values():
        await _wait_until_accepted(url)
    return urls


async def _wait_until_accepted(url: str, timeout: float = 10.0) -> None:
    """rabbitmqctl calls its import asynchronous: wait until the user may open its vhost."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            connection = await aio_pika.connect(url)
        except aio_pika.exceptions.AMQPConnectionError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.1)
        else:
            await connection.close()
            return
