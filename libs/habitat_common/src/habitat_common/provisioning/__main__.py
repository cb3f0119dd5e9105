"""`python -m habitat_common.provisioning`: the deploy's one-shot before migrations (docker-compose.prod.yml).

As the PostgreSQL and RabbitMQ administrators: every service's schema owner and runtime role, the
exchanges and queues, and every service's broker user with its permissions. Idempotent; passwords from
the environment are set again on each run, so changing one in .env and re-running rotates it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from habitat_common.messaging.topology import DEFAULT_RETRY_TIERS
from habitat_common.provisioning import SERVICES
from habitat_common.provisioning.postgres import provision_postgres, service_roles
from habitat_common.provisioning.rabbitmq import (
    broker_users,
    declare_as_admin,
    definitions,
    import_over_http,
    vhost_of,
)

log = logging.getLogger("habitat.provisioning")


class ServiceSecrets(BaseModel):
    db_owner_password: SecretStr
    db_password: SecretStr
    broker_password: SecretStr


class ProvisionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HABITAT_PROVISION_", env_nested_delimiter="__")

    postgres_url: SecretStr  # the administrator, on the database the schemas live in
    amqp_url: SecretStr  # the administrator, on the vhost
    management_url: str = "http://rabbitmq:15672"
    prefix: str = "habitat"  # roles and users are <prefix>_<service>[_owner]
    delivery_limit: int = 5  # as the services' RABBIT__DELIVERY_LIMIT
    retry_tiers: int = DEFAULT_RETRY_TIERS  # as many as the services' RABBIT__RETRY_DELAYS_SECONDS has delays
    identity: ServiceSecrets
    contributions: ServiceSecrets
    ledger: ServiceSecrets
    notifications: ServiceSecrets
    monitoring_password: SecretStr | None = None  # <prefix>_monitoring, for the postgres exporter


PLACEHOLDER = "change-me"  # deploy/.env.example's values: never a password anyone may use


def placeholders(settings: ProvisionSettings) -> list[str]:
    """The secrets still holding the example's placeholder."""
    found = [k for k in ("postgres_url", "amqp_url", "monitoring_password")
             if getattr(settings, k) is not None and PLACEHOLDER in getattr(settings, k).get_secret_value()]
    return found + [f"{service}.{name}" for service in SERVICES for name, value in getattr(settings, service)
                    if PLACEHOLDER in value.get_secret_value()]


def retried(step: Callable[[], object], what: str, attempts: int = 30, pause: float = 2.0) -> None:
    """A fresh RabbitMQ answers ping before its management API listens."""
    for attempt in range(1, attempts + 1):
        try:
            step()
            return
        except Exception as error:
            if attempt == attempts:
                raise
            log.warning("%s failed (%s); retrying", what, error)
            time.sleep(pause)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    settings = ProvisionSettings()
    secrets = {service: getattr(settings, service) for service in SERVICES}
    if left := placeholders(settings):
        raise SystemExit(f"refusing to provision: {', '.join(left)} still hold the example's '{PLACEHOLDER}'"
                         " placeholder; put generated secrets in .env (deploy/setup.sh does)")
    passwords: dict[str, str | None] = {}
    for service, secret in secrets.items():
        roles = service_roles(settings.prefix, service)
        passwords[roles.owner] = secret.db_owner_password.get_secret_value()
        passwords[roles.runtime] = secret.db_password.get_secret_value()
    admin_db = settings.postgres_url.get_secret_value().replace("postgresql://", "postgresql+asyncpg://", 1)
    monitoring = settings.monitoring_password.get_secret_value() if settings.monitoring_password else None
    retried(lambda: asyncio.run(provision_postgres(admin_db, prefix=settings.prefix, passwords=passwords,
                                                   monitoring_password=monitoring)),
            "PostgreSQL roles")
    log.info("PostgreSQL: %s", ", ".join(f"{settings.prefix}_{s}[_owner]" for s in SERVICES))

    amqp = settings.amqp_url.get_secret_value()
    retried(lambda: asyncio.run(
        declare_as_admin(amqp, delivery_limit=settings.delivery_limit, retry_tiers=settings.retry_tiers)
    ), "RabbitMQ topology")
    users = broker_users(settings.prefix)
    document = definitions(
        vhost_of(amqp), users.values(),
        {u.name: secrets[service].broker_password.get_secret_value() for service, u in users.items()},
    )
    parts = urlsplit(amqp)
    admin = (unquote(parts.username or ""), unquote(parts.password or ""))
    retried(lambda: import_over_http(settings.management_url, admin, document), "RabbitMQ users")
    log.info("RabbitMQ: %s", ", ".join(u.name for u in users.values()))


if __name__ == "__main__":
    main()
