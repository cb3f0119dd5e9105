"""The Python half of deploy/restore.sh (native mode): service roles, migrations forward, `habitat validate`.

    python deploy/restore_check.py provision DATABASE_URL PREFIX
    python deploy/restore_check.py migrate   DATABASE_URL PREFIX
    python deploy/restore_check.py validate  DATABASE_URL PREFIX

DATABASE_URL is the PostgreSQL administrator on the restored database; PREFIX names the service roles
(<PREFIX>_<svc>_owner, <PREFIX>_<svc>) the backup's schemas belong to. Role passwords, where the server
wants them, come from <SVC>_DB_OWNER_PASSWORD / <SVC>_DB_PASSWORD (the names of .env); unset, a role keeps
the password it has. Each step prints what it did on stderr and exits 1 with a sentence on failure.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# a backup from before a service existed gets its schema here: provisioning creates it, its migrations fill it
SERVICES = ("identity", "contributions", "ledger", "notifications")
HTTP_PROCESSES = (*SERVICES, "gateway")
READY_TIMEOUT_SECONDS = 120.0  # a busy host (the restore itself just loaded it) starts services slowly


class RestoreCheckError(Exception):
    """A step could not be done; its message is the sentence the operator sees."""


def passwords(prefix: str) -> dict[str, str]:
    """Role passwords from the environment, by role name; absent ones are left as they are."""
    found = {}
    for service in SERVICES:
        for suffix, variable in (("_owner", "DB_OWNER_PASSWORD"), ("", "DB_PASSWORD")):
            if value := os.environ.get(f"{service.upper()}_{variable}"):
                found[f"{prefix}_{service}{suffix}"] = value
    return found


def roles(prefix: str):
    """Every service's ServiceRoles under prefix, with the passwords the environment gives."""
    from habitat_common.provisioning.postgres import service_roles

    secrets = passwords(prefix)
    return {
        service: replace(r, owner_password=secrets.get(r.owner), runtime_password=secrets.get(r.runtime))
        for service in SERVICES
        for r in [service_roles(prefix, service)]
    }


def asyncpg_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def provision(url: str, prefix: str) -> None:
    """Give the restored schemas' roles their login, passwords and grants again (idempotent provisioning)."""
    from habitat_common.provisioning.postgres import provision_postgres

    asyncio.run(provision_postgres(asyncpg_url(url), prefix=prefix, passwords=passwords(prefix)))
    print(f"roles {prefix}_<svc>[_owner] provisioned on the restored database", file=sys.stderr)


def migrate(url: str, prefix: str) -> None:
    """alembic upgrade head for every service, as its schema's owner role (a no-op when the backup is current)."""
    for service, r in roles(prefix).items():
        env = os.environ | {f"{service.upper()}_DATABASE__URL": r.owner_url(asyncpg_url(url))}
        alembic = [sys.executable, "-m", "alembic", "-c", str(ROOT / "services" / service / "alembic.ini")]
        before = _current(alembic, env)
        done = subprocess.run([*alembic, "upgrade", "head"], env=env, cwd=ROOT, check=False, capture_output=True, text=True)
        if done.returncode != 0:
            raise RestoreCheckError(f"{service}: alembic upgrade head failed:\n{done.stderr.strip()[-2000:]}")
        after = _current(alembic, env)
        change = "already at head" if before == after else f"migrated {before or 'nothing'} -> {after}"
        print(f"{service}: {change} ({after})", file=sys.stderr)


def _current(alembic: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([*alembic, "current"], env=env, cwd=ROOT, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise RestoreCheckError(f"alembic current failed:\n{done.stderr.strip()[-2000:]}")
    return " ".join(line.split()[0] for line in done.stdout.splitlines() if line.strip())


def validate(url: str, prefix: str) -> None:
    """Start the HTTP services and the gateway on free ports on the restored database (as the runtime roles),
    sign in as HABITAT_RESTORE_ADMIN_EMAIL and run `habitat validate`; stop them again."""
    from habitat_devstack.stack import ServiceAccess, Stack, StackConfig, free_ports

    email = os.environ.get("HABITAT_RESTORE_ADMIN_EMAIL")
    password = _admin_password()
    if not email or not password:
        raise RestoreCheckError(
            "validate needs an admin of the restored co-op: set HABITAT_RESTORE_ADMIN_EMAIL and"
            " HABITAT_RESTORE_ADMIN_PASSWORD_FILE (or HABITAT_RESTORE_ADMIN_PASSWORD)"
        )
    amqp = os.environ.get("HABITAT_RESTORE_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    database = asyncpg_url(url)
    access = {
        s: ServiceAccess(database_url=r.runtime_url(database), migration_database_url=r.owner_url(database))
        for s, r in roles(prefix).items()
    }
    work = Path(tempfile.mkdtemp(prefix="habitat-restore-check-"))
    # no workers: nothing is published or consumed; the broker is only probed by /readyz, and not waited for
    config = StackConfig(database_url=database, amqp_url=amqp, ports=free_ports(), log_dir=work / "logs", access=access)
    stack = Stack(config)
    try:
        for name in HTTP_PROCESSES:
            stack.start(name)
        for name in HTTP_PROCESSES:
            _wait_serving(stack, name)
        cli = [str(Path(sys.executable).with_name("habitat"))]
        env = os.environ | {
            "HABITAT_URL": config.service_url("gateway"), "HABITAT_EMAIL": email, "HABITAT_PASSWORD": password,
            "HABITAT_CONFIG_DIR": str(work / "cli"), "NO_COLOR": "1",
        }
        signed_in = subprocess.run([*cli, "login"], env=env, check=False, capture_output=True, text=True)
        if signed_in.returncode != 0:
            raise RestoreCheckError(f"signing in as {email} failed: {signed_in.stderr.strip()}")
        report = subprocess.run([*cli, "validate"], env=env, check=False, capture_output=True, text=True)
        sys.stderr.write(report.stdout)
        if report.returncode != 0:
            raise RestoreCheckError(f"habitat validate failed on the restored database: {report.stderr.strip()}")
    finally:
        stack.stop_all()
    print(f"habitat validate passed (services' logs in {work / 'logs'})", file=sys.stderr)


def _wait_serving(stack, name: str) -> None:
    """Until the process answers /readyz with every check passing but the broker's: validation publishes and
    consumes nothing, and a busy broker (slow to accept a connection) must not fail a restore."""
    import httpx

    url = stack.config.service_url(name) + "/readyz"
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    last = "no answer"
    while time.monotonic() < deadline:
        if stack.processes[name].poll() is not None:
            raise RestoreCheckError(f"{name} exited; see {stack.config.log_dir}/{name}.log")
        try:
            response = httpx.get(url, timeout=5.0)
            checks = response.json().get("checks", {})
            if response.status_code == 200 or (checks and all(ok for check, ok in checks.items() if check != "broker")):
                return
            last = response.text
        except (httpx.HTTPError, ValueError) as error:
            last = str(error)
        time.sleep(0.5)
    raise RestoreCheckError(f"{name} not serving after {READY_TIMEOUT_SECONDS:.0f} s ({last}); see {stack.config.log_dir}")


def _admin_password() -> str | None:
    if file := os.environ.get("HABITAT_RESTORE_ADMIN_PASSWORD_FILE"):
        return Path(file).read_text().strip()
    return os.environ.get("HABITAT_RESTORE_ADMIN_PASSWORD")


STEPS = {"provision": provision, "migrate": migrate, "validate": validate}


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in STEPS:
        print(f"usage: restore_check.py {{{'|'.join(STEPS)}}} DATABASE_URL PREFIX", file=sys.stderr)
        return 2
    step, url, prefix = argv
    try:
        STEPS[step](url, prefix)
    except (RestoreCheckError, RuntimeError, OSError) as error:
        print(f"{step}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
