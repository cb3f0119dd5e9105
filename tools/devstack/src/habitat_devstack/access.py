"""Each service's own PostgreSQL roles and RabbitMQ user for a local stack (make dev, the e2e stack)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from habitat_common.provisioning.postgres import ServiceRoles, fresh_passwords, provision_postgres
from habitat_common.provisioning.rabbitmq import provision_broker_users
from habitat_common.settings import RabbitSettings
from habitat_common.testing import temporary_broker_users, temporary_service_roles
from sqlalchemy.engine import make_url

from habitat_devstack.stack import ServiceAccess


def service_access(
    database_url: str, roles: Mapping[str, ServiceRoles], amqp_urls: Mapping[str, str]
) -> dict[str, ServiceAccess]:
    return {
        service: ServiceAccess(
            database_url=r.runtime_url(database_url),
            migration_database_url=r.owner_url(database_url),
            amqp_url=amqp_urls.get(service),
        )
        for service, r in roles.items()
    }


def provision(database_url: str, amqp_url: str) -> dict[str, ServiceAccess]:
    """Create or update the roles and users, named after the database, and keep them (make dev); fresh
    passwords each time."""
    prefix = make_url(database_url).database

    async def run() -> tuple[dict[str, ServiceRoles], dict[str, str]]:
        roles = await provision_postgres(database_url, prefix=prefix, passwords=fresh_passwords(prefix))
        users = await provision_broker_users(amqp_url, prefix=prefix, delivery_limit=RabbitSettings().delivery_limit)
        return roles, users

    return service_access(database_url, *asyncio.run(run()))


@contextmanager
def temporary_access(database_url: str, amqp_url: str) -> Iterator[dict[str, ServiceAccess]]:
    """Roles and users for a throw-away database and vhost, removed afterwards (the e2e stack)."""
    with temporary_service_roles(database_url) as roles, temporary_broker_users(amqp_url) as users:
        yield service_access(database_url, roles, users)
