"""The restore drill: a co-op's books made through the API, deploy/backup.sh, the stack gone, deploy/restore.sh
into a new database (roles and all), and a stack on the restored database serves the same money byte for byte."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from habitat_common.provisioning.postgres import drop_roles, service_roles
from habitat_common.testing import _admin_exec
from habitat_devstack.access import service_access
from habitat_devstack.stack import ROOT, SERVICES, Stack, StackConfig, free_ports

from .conftest import TOKEN_VERIFIERS, Habitat, eventually, started_habitat

pytestmark = pytest.mark.e2e

ADMIN_URL = os.environ.get("HABITAT_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DAY = "2026-02-10"  # inside the shared fixture's period 2026-Q1
READERS = ("identity", "contributions", "ledger", "gateway", "caddy")


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def books_of_a_closed_quarter(habitat: Habitat) -> list[str]:
    """Members, approved contributions, 2026-Q1 closed with its allocation posted, a distribution paid;
    returns the member ids."""
    admin, admin2 = habitat.admin_token(), habitat.second_admin_token()
    ann_id, ann = habitat.active_member()
    bob_id, bob = habitat.active_member()
    _, steward = habitat.active_member("steward")
    for token, body in (
        (ann, {"type": "labor", "contributed_on": DAY, "hours": "10", "rate": "100.00", "description": "Fixed the roof"}),
        (ann, {"type": "capital", "contributed_on": DAY, "amount": "400.00", "description": "Member capital"}),
        (bob, {"type": "property", "contributed_on": DAY, "fair_market_value": "1200.00", "adjusted_basis": "700.00",
               "description": "Donated a cargo bike"}),
    ):
        contribution = habitat.submit(token, body)
        approved = habitat.call("POST", f"/contributions/{contribution['id']}/approve", steward, json={})
        assert approved.status_code == 200, approved.text
    eventually(lambda: habitat.capital(admin, bob_id) == ("1200.00", "700.00"), timeout=15)
    eventually(lambda: habitat.capital(admin, ann_id) == ("400.00", "400.00"), timeout=15)

    period = habitat.period_id
    closing = habitat.call("POST", f"/periods/{period}/close", admin)
    assert closing.status_code == 200, closing.text

    def proposed():
        response = habitat.call("POST", f"/periods/{period}/allocations", admin,
                                json={"surplus": "1000.00", "cash_portion": "20"})
        if response.status_code == 409 and response.json()["error"]["code"] == "not_reconciled":
            return None
        assert response.status_code == 201, response.text
        return response.json()

    allocation = eventually(proposed, timeout=20, interval=0.2)
    for token in (admin, admin2):
        assert habitat.call("POST", f"/allocations/{allocation['id']}/approve", token).status_code == 200
    posted = habitat.call("POST", f"/allocations/{allocation['id']}/post", admin)
    assert posted.status_code == 200 and posted.json()["status"] == "posted", posted.text

    scheduled = habitat.call("GET", "/distributions", ann).json()["items"]
    assert len(scheduled) == 1, scheduled
    requested = habitat.call("POST", f"/distributions/{scheduled[0]['id']}/complete", admin,
                             json={"reference": "ACH-DRILL-1"})
    habitat.second_admin_approves(requested)
    return [ann_id, bob_id]


def money_views(habitat: Habitat, member_ids: list[str]) -> dict[str, bytes]:
    """Every body whose bytes must survive a restore."""
    token = habitat.admin_token()
    paths: list[tuple[str, dict]] = [
        ("/exports/k1", {"year": "2026", "format": "csv"}),
        ("/exports/k1", {"year": "2026", "format": "json"}),
        ("/exports/journal", {"basis": "book"}),
        ("/exports/journal", {"basis": "tax"}),
        ("/distributions", {}),
    ]
    for member in member_ids:
        paths += [(f"/capital-accounts/{member}", {}), (f"/capital-accounts/{member}/statement", {})]
    views = {}
    for path, params in paths:
        response = habitat.call("GET", path, token, params=params)
        assert response.status_code == 200, (path, response.text)
        views[f"{path}?{params}"] = response.content
    return views


@contextmanager
def stack_on(database_url: str, prefix: str, passphrase: str) -> Iterator[Stack]:
    """The services, the gateway and Caddy on the restored database, as the restored service roles. Reading
    needs no workers, so no vhost either: the broker is only probed (and, busy, not waited for)."""
    roles = {service: service_roles(prefix, service) for service in SERVICES}
    config = StackConfig(
        database_url=database_url, amqp_url=os.environ.get("HABITAT_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
        ports=free_ports(), log_dir=Path(tempfile.mkdtemp(prefix="habitat_e2e_drill_restored-")),
        access=service_access(database_url, roles, {}),
        extra_env={"IDENTITY_SIGNING_KEY_PASSPHRASE": passphrase,
                   **{f"{p}_AUTH__JWKS_CACHE_SECONDS": "2" for p in TOKEN_VERIFIERS}},
    )
    stack = Stack(config)
    try:
        for name in READERS:
            stack.start(name)
        for name in READERS[:-1]:
            eventually(lambda name=name: serving(config.service_url(name)), timeout=120, interval=0.5)
        stack.wait_ready("caddy")
        yield stack
    finally:
        stack.stop_all()


def serving(base_url: str) -> bool:
    """/readyz passes but for the broker check."""
    try:
        checks = httpx.get(f"{base_url}/readyz", timeout=5.0).json()["checks"]
    except (httpx.HTTPError, ValueError, KeyError):
        return False
    return all(ok for check, ok in checks.items() if check != "broker")


def run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "deploy" / script), "--native", *args], env=os.environ | env,
                          check=False, capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_a_backup_restored_into_a_new_database_serves_the_same_books(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    with started_habitat("habitat_e2e_drill") as habitat:
        members = books_of_a_closed_quarter(habitat)
        before = money_views(habitat, members)
        backup = run("backup.sh", env={"HABITAT_BACKUP_DIR": str(backups),
                                       "HABITAT_BACKUP_DATABASE_URL": plain(habitat.config.database_url)})
        assert backup.returncode == 0, backup.stderr
        prefix = habitat.config.database_url.rsplit("/", 1)[1]
        admin = (habitat.admin_email, habitat.admin_password)
        passphrase = habitat.config.extra_env["IDENTITY_SIGNING_KEY_PASSPHRASE"]
    # the source database and its roles are gone now, as on a new host after a disaster
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.parent == backups and dump.with_name(dump.name + ".sha256").exists()

    restored = f"habitat_e2e_drill_restored_{secrets.token_hex(4)}"
    restored_url = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{restored}"
    password_file = tmp_path / "admin-password"
    password_file.write_text(admin[1])
    try:
        # one byte flipped: refused before anything is created
        damaged = tmp_path / "damaged" / dump.name
        damaged.parent.mkdir()
        data = bytearray(dump.read_bytes())
        data[len(data) // 2] ^= 0x01
        damaged.write_bytes(bytes(data))
        damaged.with_name(damaged.name + ".sha256").write_text(dump.with_name(dump.name + ".sha256").read_text())
        refused = run("restore.sh", str(damaged), restored, env={"HABITAT_RESTORE_ADMIN_URL": ADMIN_URL})
        assert refused.returncode == 3 and "does not match its checksum" in refused.stderr, refused.stderr
        assert not database_exists(restored)

        done = run("restore.sh", str(dump), restored, env={
            "HABITAT_RESTORE_ADMIN_URL": ADMIN_URL,
            "HABITAT_RESTORE_ADMIN_EMAIL": admin[0], "HABITAT_RESTORE_ADMIN_PASSWORD_FILE": str(password_file),
            "IDENTITY_SIGNING_KEY_PASSPHRASE": passphrase,
        })
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().splitlines()[-1] == restored
        assert "checks passed" in done.stderr and "habitat validate passed" in done.stderr, done.stderr
        created = 2 * len(SERVICES)  # the roles came back: an owner and a runtime role per service
        assert f"{prefix}_<svc>[_owner] present ({created} created)" in done.stderr, done.stderr

        with stack_on(restored_url, prefix, passphrase) as stack:
            config = stack.config
            assert money_views(Habitat(stack, config, *admin), members) == before
            for command in ("login", "validate"):
                answer = habitat_cli(command, url=config.url, admin=admin, config_dir=tmp_path / "cli")
                assert answer.returncode == 0, answer.stdout + answer.stderr
    finally:
        # roles are cluster-wide: the ones restore.sh made go, with what they own in the restored database
        where = restored_url if database_exists(restored) else ADMIN_URL
        asyncio.run(drop_roles(where, [service_roles(prefix, s) for s in SERVICES]))
        _admin_exec(ADMIN_URL, f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')


def habitat_cli(command: str, *, url: str, admin: tuple[str, str], config_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "habitat"), command], check=False, capture_output=True, text=True, timeout=60,
        env=os.environ | {"HABITAT_URL": url, "HABITAT_CONFIG_DIR": str(config_dir),
                          "HABITAT_EMAIL": admin[0], "HABITAT_PASSWORD": admin[1]},
    )


def database_exists(name: str) -> bool:
    probe = subprocess.run(["psql", ADMIN_URL, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                           capture_output=True, text=True, check=True)
    return probe.stdout.strip() == "1"
