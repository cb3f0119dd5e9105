"""`deploy/setup.sh --native`: the production stack on this machine's PostgreSQL, RabbitMQ and Caddy.

Idempotent, step by step: the database, each service's roles and broker user with the passwords in .env,
the migrations, then the processes (habitat_devstack.native: detached, pid records and logs under
$HABITAT_STATE_DIR) unless they already run, and their health. Each step prints `ok` (nothing to do) or
`done` (changed something) on stderr; the last line on stdout is `changed=N unchanged=M url=URL`.

    python -m habitat_devstack.setup_native up --env-file .env
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import aio_pika
import asyncpg
import httpx
from dotenv import dotenv_values
from habitat_common.provisioning import SERVICES
from habitat_common.provisioning.postgres import provision_postgres, service_roles
from habitat_common.provisioning.rabbitmq import (
    broker_users,
    declare_as_admin,
    definitions,
    import_with_rabbitmqctl,
    user_url,
    vhost_of,
)
from habitat_common.settings import RabbitSettings
from sqlalchemy.engine import make_url

from habitat_devstack import native
from habitat_devstack.access import service_access
from habitat_devstack.stack import StackConfig, free_ports

PLACEHOLDER = "change-me"
DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/habitat"
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/habitat"
REQUIRED = (
    "SIGNING_KEY_PASSPHRASE", "DEVICE_COOKIE_SECRET",
    *(f"{s.upper()}_{kind}_PASSWORD" for s in SERVICES for kind in ("DB_OWNER", "DB", "MQ")),
)


class SetupError(RuntimeError):
    """A step cannot go on; the message says why and what to do."""


class Report:
    def __init__(self) -> None:
        self.changed = 0
        self.unchanged = 0

    def ok(self, what: str) -> None:
        self.unchanged += 1
        print(f"[setup] ok {what}", file=sys.stderr, flush=True)

    def done(self, what: str) -> None:
        self.changed += 1
        print(f"[setup] done {what}", file=sys.stderr, flush=True)


def placeholders(values: Mapping[str, str | None]) -> list[str]:
    """The keys whose value is still the example's placeholder, or missing though required."""
    found = [key for key, value in values.items() if value and PLACEHOLDER in value]
    return found + [key for key in REQUIRED if not values.get(key)]


def read_env(path: Path) -> dict[str, str]:
    """The .env, refused while a secret is a placeholder: the stack never starts on a published password."""
    if not path.exists():
        raise SetupError(f"{path} does not exist: run deploy/setup.sh, which writes it from deploy/.env.example")
    values = {k: v or "" for k, v in dotenv_values(path).items()}
    if bad := placeholders(values):
        raise SetupError(
            f"{path}: {', '.join(sorted(bad))} still hold a placeholder or are empty; refusing to start. "
            f"Put a generated secret in each (openssl rand -hex 24), or delete {path} and run deploy/setup.sh again."
        )
    return values


async def _ensure_database(admin_url: str) -> bool:
    url = make_url(admin_url)
    conn = await asyncpg.connect(url.set(drivername="postgresql", database="postgres").render_as_string(False))
    try:
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", url.database):
            return False
        await conn.execute(f'CREATE DATABASE "{url.database}"')
        return True
    finally:
        await conn.close()


async def _versions(admin_url: str) -> dict[str, str | None]:
    """Each service's migration revision (None before the first)."""
    conn = await asyncpg.connect(make_url(admin_url).set(drivername="postgresql").render_as_string(False))
    try:
        found = {}
        for service in SERVICES:
            exists = await conn.fetchval("SELECT to_regclass($1)", f'"{service}".alembic_version')
            found[service] = await conn.fetchval(f'SELECT version_num FROM "{service}".alembic_version') if exists else None
        return found
    finally:
        await conn.close()


async def _roles_exist(admin_url: str, prefix: str) -> bool:
    conn = await asyncpg.connect(make_url(admin_url).set(drivername="postgresql").render_as_string(False))
    try:
        names = [name for s in SERVICES for name in (service_roles(prefix, s).owner, service_roles(prefix, s).runtime)]
        return await conn.fetchval("SELECT count(*) FROM pg_roles WHERE rolname = ANY($1::text[])", names) == len(names)
    finally:
        await conn.close()


async def _accepted(urls, timeout: float = 120.0) -> None:
    """rabbitmqctl applies an import asynchronously: wait until each user may open its vhost, or the services'
    first broker checks fail (and /readyz with them). A busy broker takes tens of seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    for url in urls:
        while True:
            try:
                connection = await aio_pika.connect(url, timeout=5)
            except (TimeoutError, aio_pika.exceptions.AMQPConnectionError, OSError) as error:
                if asyncio.get_running_loop().time() > deadline:
                    raise SetupError(f"RabbitMQ does not accept {urlsplit(url).username}: {error}") from error
                await asyncio.sleep(0.2)
            else:
                await connection.close()
                break


def provision(admin_url: str, amqp_url: str, prefix: str, env: Mapping[str, str]) -> StackConfig:
    """Each service's PostgreSQL roles and broker user with .env's passwords (set again: a changed one rotates)."""
    passwords: dict[str, str | None] = {}
    for service in SERVICES:
        roles = service_roles(prefix, service)
        passwords[roles.owner] = env[f"{service.upper()}_DB_OWNER_PASSWORD"]
        passwords[roles.runtime] = env[f"{service.upper()}_DB_PASSWORD"]

    roles = asyncio.run(provision_postgres(admin_url, prefix=prefix, passwords=passwords))
    users = broker_users(prefix)
    mq = {users[s].name: env[f"{s.upper()}_MQ_PASSWORD"] for s in SERVICES}
    import_with_rabbitmqctl(definitions(vhost_of(amqp_url), users.values(), mq))
    amqp = {s: user_url(amqp_url, users[s].name, mq[users[s].name]) for s in SERVICES}
    # users first: while the broker sets up freshly declared quorum queues it can keep new users waiting a minute
    asyncio.run(_accepted(amqp.values()))
    asyncio.run(declare_as_admin(amqp_url, delivery_limit=RabbitSettings().delivery_limit))
    level = env.get("HABITAT_LOG_LEVEL") or "INFO"
    return StackConfig(
        database_url=admin_url, amqp_url=amqp_url, access=service_access(admin_url, roles, amqp),
        extra_env={
            "IDENTITY_SIGNING_KEY_PASSPHRASE": env["SIGNING_KEY_PASSPHRASE"],
            "IDENTITY_DEVICE_COOKIE_SECRET": env["DEVICE_COOKIE_SECRET"],
            "HABITAT_COOP_TIME_ZONE": env.get("HABITAT_COOP_TIME_ZONE") or "UTC",
            **{f"{p}_TELEMETRY__LOG_LEVEL": level for p in (*(s.upper() for s in SERVICES), "GATEWAY")},
            **mail_settings(env),
        },
    )


# .env's names (those of docker-compose.prod.yml) -> the notifications service's settings
MAIL_SETTINGS = {
    "NOTIFICATIONS_SMTP_HOST": "NOTIFICATIONS_SMTP__HOST", "NOTIFICATIONS_SMTP_PORT": "NOTIFICATIONS_SMTP__PORT",
    "NOTIFICATIONS_SMTP_STARTTLS": "NOTIFICATIONS_SMTP__STARTTLS", "NOTIFICATIONS_SMTP_TLS": "NOTIFICATIONS_SMTP__TLS",
    "NOTIFICATIONS_SMTP_USERNAME": "NOTIFICATIONS_SMTP__USERNAME",
    "NOTIFICATIONS_SMTP_PASSWORD": "NOTIFICATIONS_SMTP__PASSWORD",
    "NOTIFICATIONS_SMTP_FROM_ADDRESS": "NOTIFICATIONS_SMTP__FROM_ADDRESS", "HABITAT_COOP_NAME": "NOTIFICATIONS_COOP_NAME",
}


def mail_settings(env: Mapping[str, str]) -> dict[str, str]:
    """The SMTP server and sender of .env for the notifications processes. Without NOTIFICATIONS_SMTP_HOST mail
    is written and waits (retried, listed at /admin/mail) until one is set and the processes restarted."""
    if not env.get("NOTIFICATIONS_SMTP_HOST"):
        print("[setup] warn NOTIFICATIONS_SMTP_HOST is empty in .env: no mail reaches members until it is set",
              file=sys.stderr, flush=True)
        return {}
    # an empty one is left to the service's default (an empty username: no login)
    return {setting: env[name] for name, setting in MAIL_SETTINGS.items() if env.get(name)}


def _ports() -> dict[str, int]:
    ports = free_ports()
    if http := os.environ.get("HABITAT_HTTP_PORT"):
        ports["caddy"] = int(http)
    return ports


def _healthy(url: str) -> bool:
    return _answers(f"{url}/healthz")


def _wait_all_ready(stack: native.NativeStack, directory: Path, timeout: float) -> None:
    """Every replica's /readyz and the edge's /healthz answer 200, or SetupError naming what does not."""
    deadline = time.monotonic() + timeout
    while True:
        waiting = [
            f"{name} ({record['port']})" for name, records in native.status(directory).items()
            if not name.startswith("caddy") for record in records
            if not _answers(f"http://127.0.0.1:{record['port']}/readyz")
        ] + ([] if _healthy(stack.url) else [f"edge {stack.url}"])
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise SetupError(f"not ready after {timeout:.0f}s: {', '.join(waiting)}; see {directory / 'logs'}")
        time.sleep(1.0)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=10.0).status_code == 200
    except httpx.HTTPError:
        return False


def up(env_file: Path, directory: Path, replicas: int) -> tuple[Report, str]:
    """Bring the native stack to the state .env describes, changing only what differs; (report, URL)."""
    report = Report()
    env = read_env(env_file)
    admin_url = os.environ.get("HABITAT_NATIVE_DATABASE_URL", DEFAULT_DATABASE_URL)
    amqp_url = os.environ.get("HABITAT_NATIVE_AMQP_URL", DEFAULT_AMQP_URL)
    database = make_url(admin_url).database
    prefix = os.environ.get("HABITAT_NATIVE_ROLE_PREFIX", database)

    if asyncio.run(_ensure_database(admin_url)):
        report.done(f"database {database} created")
    else:
        report.ok(f"database {database} exists")

    existed = asyncio.run(_roles_exist(admin_url, prefix))
    config = provision(admin_url, amqp_url, prefix, env)
    what = f"roles {prefix}_<service>[_owner] and broker users {prefix}_<service> on vhost {vhost_of(amqp_url)}"
    report.ok(f"{what} (passwords as in {env_file.name})") if existed else report.done(f"{what} created")

    added: list[str] = []
    if (directory / "stack.json").exists():
        config.ports = _ports()
        if added := native.adopt(config, directory, replicas=replicas):
            # the processes count no longer matches: everything, the proxies included, starts again below
            report.done(f"{', '.join(added)} added to the deployment in {directory}")
        else:
            report.ok(f"deployment laid out in {directory}")
    else:
        config.ports = _ports()
        config.log_dir = directory / "logs"
        native.init(config, directory, replicas=replicas)
        report.done(f"deployment laid out in {directory} ({replicas} replica(s) per HTTP process)")

    before = asyncio.run(_versions(admin_url))
    native.migrate(native.WORKING_TREE, directory)
    after = asyncio.run(_versions(admin_url))
    if before == after:
        report.ok("migrations at head")
    else:
        report.done("migrations: " + ", ".join(f"{s} {before[s] or 'empty'} -> {after[s]}" for s in SERVICES if before[s] != after[s]))

    stack = native.NativeStack.load(directory)
    records = native.status(directory)
    expected = sum(map(len, stack.replicas.values())) + 2  # and the two proxies
    alive = sum(r["alive"] for rs in records.values() for r in rs)
    if alive == expected and _healthy(stack.url):
        report.ok(f"{alive} processes running")
    else:
        if records:
            native.stop(directory)  # some died: start them all again, on one release
        try:
            native.start(native.WORKING_TREE, directory)
        except native.DeployError as error:
            # a slow first start (a busy machine, a broker taking its time over new users) is not a failure
            # yet: the processes keep starting; give them the rest of the ready timeout
            print(f"[setup] waiting longer: {error}", file=sys.stderr, flush=True)
        _wait_all_ready(stack, directory, float(os.environ.get("HABITAT_SETUP_READY_TIMEOUT", "240")))
        report.done(f"started {expected} processes (logs: {directory / 'logs'})")
    if not _healthy(stack.url):
        raise SetupError(f"{stack.url}/healthz does not answer 200; see {directory / 'logs'}")
    report.ok(f"healthy at {stack.url}")
    if "notifications" in added:
        report.done(announce_members(directory))
    return report, stack.url


def announce_members(directory: Path) -> str:
    """A deployment that gains notifications has members it never heard of: identity announces each once."""
    done = native.run_in_release(
        native.WORKING_TREE, ["-m", "habitat_identity.cli", "republish-members"], directory,
        text=True, capture_output=True,
    )
    if done.returncode != 0:
        raise SetupError(f"republish-members failed: {done.stderr.strip()[-500:]}")
    return done.stdout.strip() or "members announced to the new services"


def first_admin(email: str, display_name: str, directory: Path) -> int:
    """Create the first admin with a one-time password (changed at first sign-in) unless the email exists."""
    password = f"hab-{secrets.token_urlsafe(18)}"
    done = native.run_in_release(
        native.WORKING_TREE,
        ["-m", "habitat_identity.cli", "ensure-admin", "--email", email, "--display-name", display_name,
         "--password-stdin"],
        directory, input=password, text=True, capture_output=True,
    )
    sys.stderr.write(done.stderr)
    if done.returncode == 0:
        print(f"{email} may sign in once with: {password} (then chooses a new password)")
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m habitat_devstack.setup_native", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up_parser = sub.add_parser("up", help="provision, migrate, start (what is missing) and wait for health")
    up_parser.add_argument("--env-file", type=Path, required=True)
    up_parser.add_argument("--replicas", type=int, default=int(os.environ.get("HABITAT_NATIVE_REPLICAS", "2")))
    admin = sub.add_parser("admin", help="the first admin, with a one-time password printed once")
    admin.add_argument("--email", required=True)
    admin.add_argument("--display-name", required=True)
    check = sub.add_parser("check-env", help="exit 1 if .env holds a placeholder or misses a secret")
    check.add_argument("--env-file", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "admin":
            return first_admin(args.email, args.display_name, native.state_dir())
        if args.command == "check-env":
            read_env(args.env_file)
            return 0
        if args.replicas < 1:
            raise SetupError("--replicas must be at least 1")
        report, url = up(args.env_file, native.state_dir(), args.replicas)
    except (SetupError, native.DeployError) as error:
        print(f"[setup] error {error}", file=sys.stderr)
        return 1
    print(f"changed={report.changed} unchanged={report.unchanged} url={url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
