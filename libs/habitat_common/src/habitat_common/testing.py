"""Test helpers: a throw-away database and RabbitMQ vhost per run, and locally minted tokens.

Uses testcontainers when a Docker engine is reachable, else the native services named by
HABITAT_TEST_PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and
HABITAT_TEST_AMQP_URL (default amqp://guest:guest@127.0.0.1:5672/).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Self
from urllib.parse import quote

import aio_pika
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from prometheus_client import REGISTRY
from sqlalchemy.engine import make_url

from habitat_common.auth import ACCESS_TOKEN_TYPE
from habitat_common.provisioning.postgres import ServiceRoles, drop_roles, fresh_passwords, provision_postgres
from habitat_common.provisioning.rabbitmq import (
    broker_users,
    delete_with_rabbitmqctl,
    provision_broker_users,
    vhost_of,
)
from habitat_common.settings import AuthSettings, RabbitSettings


def docker_engine_reachable() -> bool:
    if os.environ.get("HABITAT_TEST_NATIVE") == "1":
        return False
    try:
        import docker

        docker.from_env().ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means "no engine here"
        return False


@contextmanager
def _postgres_admin_url() -> Iterator[str]:
    if docker_engine_reachable():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:15", driver=None) as container:
            yield container.get_connection_url()
        return
    yield os.environ.get("HABITAT_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _admin_exec(admin_url: str, sql: str) -> None:
    import asyncio

    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@contextmanager
def temporary_database(prefix: str = "habitat_test") -> Iterator[str]:
    """Create a fresh database; yield its asyncpg SQLAlchemy URL; drop it afterwards."""
    with _postgres_admin_url() as admin_url:
        name = f"{prefix}_{secrets.token_hex(4)}"
        _admin_exec(admin_url, f'CREATE DATABASE "{name}"')
        base, _, _ = admin_url.rpartition("/")
        try:
            yield base.replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{name}"
        finally:
            _admin_exec(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def temporary_service_roles(database_url: str) -> Iterator[dict[str, ServiceRoles]]:
    """Every service's owner and runtime role on this database, named after it (roles are cluster-wide, so
    runs never share one), with random passwords; dropped afterwards, with whatever they own."""
    prefix = make_url(database_url).database
    roles = asyncio.run(provision_postgres(database_url, prefix=prefix, passwords=fresh_passwords(prefix)))
    try:
        yield roles
    finally:
        asyncio.run(drop_roles(database_url, list(roles.values())))


@contextmanager
def temporary_vhost(prefix: str = "habitat_test") -> Iterator[str]:
    """Create a RabbitMQ vhost for this run; yield an AMQP URL pointing at it; delete it afterwards."""
    if docker_engine_reachable():
        from testcontainers.rabbitmq import RabbitMqContainer

        with RabbitMqContainer("rabbitmq:3.13") as container:
            params = container.get_connection_params()
            yield f"amqp://guest:guest@{params.host}:{params.port}/"
        return
    base = os.environ.get("HABITAT_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/").rstrip("/")
    vhost = f"{prefix}_{secrets.token_hex(4)}"
    ctl = shutil.which("rabbitmqctl") or "rabbitmqctl"
    subprocess.run([ctl, "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run([ctl, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True, capture_output=True)
    try:
        yield f"{base}/{quote(vhost, safe='')}"
    finally:
        subprocess.run([ctl, "delete_vhost", vhost], capture_output=True, check=False)  # already gone is fine


async def take_all(amqp_url: str, queue_name: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Every message waiting in the queue, taken (acked) one by one."""
    connection = await aio_pika.connect(amqp_url)
    messages = []
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name)
        while (message := await queue.get(fail=False)) is not None:
            messages.append(message)
            await message.ack()
    return messages


@contextmanager
def temporary_broker_users(amqp_url: str) -> Iterator[dict[str, str]]:
    """Every service's broker user on amqp_url's vhost, named after it (users are cluster-wide), with the
    topology declared by the administrator; yields each service's AMQP URL; users deleted afterwards."""
    if docker_engine_reachable():  # a container's broker: no rabbitmqctl here, the administrator it is
        yield {}
        return
    prefix = vhost_of(amqp_url)
    try:
        yield asyncio.run(
            provision_broker_users(amqp_url, prefix=prefix, delivery_limit=RabbitSettings().delivery_limit)
        )
    finally:
        delete_with_rabbitmqctl(broker_users(prefix).values())


class LocalKeys:
    """An Ed25519 key pair standing in for identity's, so a service can be tested on its own."""

    def __init__(self, kid: str | None = None) -> None:
        self.kid = kid or secrets.token_hex(8)
        self.private_key = Ed25519PrivateKey.generate()
        self.settings = AuthSettings()

    async def key_for(self, kid: str) -> Any:
        from habitat_common.auth import InvalidToken

        if kid != self.kid:
            raise InvalidToken("token signed by an unknown key")
        return self.private_key.public_key()

    def mint(
        self,
        member_id: uuid.UUID,
        role: str = "member",
        *,
        expires_in: timedelta = timedelta(minutes=15),
        must_change_password: bool = False,
        session_id: uuid.UUID | None = None,
        issued_at: datetime | None = None,
    ) -> str:
        now = issued_at or datetime.now(UTC)
        claims = {
            "iss": self.settings.issuer,
            "aud": self.settings.audience,
            "sub": str(member_id),
            "role": role,
            "pwd_change": must_change_password,
            "iat": now,
            "exp": now + expires_in,
            "jti": secrets.token_hex(8),
        }
        if session_id:
            claims["sid"] = str(session_id)
        return jwt.encode(
            claims, self.private_key, algorithm="EdDSA", headers={"kid": self.kid, "typ": ACCESS_TOKEN_TYPE}
        )


async def every_page(client, path: str, headers: dict, **params) -> list[list[dict]]:
    """The items of each page of a keyset-paged list, following next_cursor from the first page."""
    found, after = [], None
    while True:
        response = await client.get(path, headers=headers, params=params | ({"after": after} if after else {}))
        assert response.status_code == 200, response.text
        found.append(response.json()["items"])
        after = response.json()["next_cursor"]
        if after is None:
            return found


def sample_value(name: str, **labels: str) -> float:
    """A Prometheus sample of this process's registry (0 when the series does not exist)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


class SampleDelta:
    """The change of one sample across a block: `with SampleDelta("x_total", kind="a") as d: ...; d.change`."""

    def __init__(self, name: str, **labels: str) -> None:
        self.name, self.labels = name, labels

    def __enter__(self) -> Self:
        self.before = sample_value(self.name, **self.labels)
        return self

    def __exit__(self, *exc: object) -> None:
        self.change = sample_value(self.name, **self.labels) - self.before
