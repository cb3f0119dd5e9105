"""`make dev`: database, migrations, bootstrap admin, a local mailbox, every process and Caddy, demo co-op;
Ctrl-C stops."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import asyncpg

from habitat_devstack.access import provision
from habitat_devstack.mailbox import running_mailbox
from habitat_devstack.seed import seed_demo
from habitat_devstack.stack import ROOT, SERVICES, Stack, StackConfig, caddy_cpus, migrate

LOCAL = ROOT / ".local"
ADMIN_EMAIL = os.environ.get("HABITAT_DEV_ADMIN_EMAIL", "admin@demo.coop")
PG_ADMIN_URL = os.environ.get("HABITAT_DEV_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("HABITAT_DEV_DATABASE", "habitat")
AMQP_URL = os.environ.get("HABITAT_DEV_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


async def ensure_database() -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE):
            await conn.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await conn.close()


def local_secret(path: Path, make) -> str:
    """Read a git-ignored local secret, creating it (owner-only) on the first run."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make() + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def main() -> None:
    try:
        caddy_cpus()  # a wrong setting stops here, before anything is created
    except ValueError as error:
        raise SystemExit(f"error: {error}") from None
    asyncio.run(ensure_database())
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    database_url = f"{base}/{DATABASE}"
    print(f"giving each service its own PostgreSQL roles and RabbitMQ user ({DATABASE}_<service>) ...", flush=True)
    config = StackConfig(database_url=database_url, amqp_url=AMQP_URL, access=provision(database_url, AMQP_URL))
    print(f"migrating {', '.join(SERVICES)} ...", flush=True)
    migrate(config)
    password = local_secret(LOCAL / "dev-admin-password", lambda: f"hab-{secrets.token_urlsafe(16)}")
    # the demo admin keeps its password (dev only): production admins change theirs at first sign-in
    subprocess.run(
        [sys.executable, "-m", "habitat_identity.cli", "ensure-admin", "--email", ADMIN_EMAIL,
         "--password-stdin", "--no-password-change", "--display-name", "Demo Admin"],
        input=password, text=True, env=config.env(), check=True, cwd=ROOT,
    )
    stack = Stack(config)
    # Ctrl-C must work even when started from a shell that ignores SIGINT for background jobs
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    mail_dir = LOCAL / "mail"
    # every mail the stack sends lands here: StackConfig points NOTIFICATIONS_SMTP__* at this port
    with running_mailbox(mail_dir, port=config.ports["mailbox"]) as mailbox:
        print(f"mail: smtp://{mailbox.host}:{mailbox.port}, a line here per mail, each kept in {mail_dir}/", flush=True)
        run(stack, password, mail_dir)


def run(stack: Stack, password: str, mail_dir: Path) -> None:
    """Start every process and the demo co-op, then wait for Ctrl-C and stop them all."""
    config = stack.config
    try:
        print("starting services, workers, gateway and Caddy ...", flush=True)
        stack.start_all()
        created = seed_demo(config.url, ADMIN_EMAIL, password)
        members_file = LOCAL / "dev-demo-members"
        if created:
            with members_file.open("a") as out:
                out.writelines(f"{email} {pw}\n" for email, pw in created.items())
            members_file.chmod(0o600)
        print(
            f"\nHabitat is running at {config.url}\n"
            f"  admin sign-in: {ADMIN_EMAIL} / {password}\n"
            f"  demo members (email password): {members_file}\n"
            f"  API docs: {config.url}/api/v1/docs   logs: {config.log_dir}\n"
            f"  mail the stack sends: {mail_dir}/ (one .eml file each; open it in any mail client)\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not orphan the processes
        print("\nstopping ...", flush=True)
        stack.stop_all()
        print("stopped.", flush=True)


if __name__ == "__main__":
    main()
