"""deploy/upgrade.sh and deploy/rollback.sh, natively: from the last release in deploy/RELEASES to this
working tree with reads running all along, then back to the release and its pre-upgrade data."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import asyncpg
import httpx
import pytest
from habitat_common.testing import temporary_database, temporary_vhost
from habitat_devstack import native
from habitat_devstack.access import temporary_access
from habitat_devstack.stack import ROOT, StackConfig, free_ports

from tests.chaos.infra import private_rabbit

from .conftest import JWKS_CACHE_SECONDS, PERIOD, TOKEN_VERIFIERS, Habitat, eventually

RELEASES = ROOT / "deploy" / "RELEASES"
# `make test` runs the upgrade with reads running (the bounded version, about half the time); the
# rollback to the pre-upgrade backup after it is `make upgrade-drill` (HABITAT_UPGRADE_DRILL_FULL=1)
FULL = os.environ.get("HABITAT_UPGRADE_DRILL_FULL", "") == "1"


def previous_release() -> str:
    """The last release's commit; the test needs the history (a full clone), so a missing one fails it."""
    lines = [line.split() for line in RELEASES.read_text().splitlines() if line.strip() and not line.startswith("#")]
    commit = lines[-1][1]
    found = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True, check=False)
    if found.returncode != 0:
        pytest.fail(f"release commit {commit} (deploy/RELEASES) is not in this clone: `git fetch --unshallow` first")
    return commit


class Reader(threading.Thread):
    """Reads a member's dashboard, contributions and capital account through Caddy, without pause."""

    PATHS = ("/me/dashboard", "/contributions", "/capital-accounts/{member}")

    def __init__(self, url: str, token: str, member_id: str) -> None:
        super().__init__(daemon=True)
        self.url, self.token, self.member_id = url, token, member_id
        self.ok = 0
        self.failures: list[str] = []
        self.halt = threading.Event()

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=15.0) as client:
            while not self.halt.is_set():
                for path in self.PATHS:
                    path = path.format(member=self.member_id)
                    try:
                        response = client.get(f"/api/v1{path}")
                    except httpx.HTTPError as error:
                        self.failures.append(f"{time.strftime('%X')} GET {path}: {error!r}")
                        continue
                    if response.status_code == 200:
                        self.ok += 1
                    else:
                        self.failures.append(f"{time.strftime('%X')} GET {path}: {response.status_code} {response.text[:200]}")


def run_script(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run([str(ROOT / "deploy" / script), *args], env=env, capture_output=True, text=True, timeout=300, check=False)
    print(f"$ deploy/{script} {' '.join(args)} -> {done.returncode}\n{done.stderr}{done.stdout}")
    return done


def live_releases(state: Path) -> set[str]:
    """Where every live replica's code comes from, read from the processes themselves."""
    found = set()
    for name, records in native.status(state).items():
        for record in records:
            if not name.startswith("caddy"):
                assert record["alive"], f"{name} replica is not running: {record}"
                found.add(os.readlink(f"/proc/{record['pid']}/cwd"))
    return found


def drop_database(admin_url: str, name: str) -> None:
    import asyncio

    async def drop() -> None:
        conn = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://", 1).rsplit("/", 1)[0] + "/postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


@pytest.mark.e2e
@pytest.mark.timeout(480)
def test_upgrade_with_reads_running_then_rollback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    previous = previous_release()
    state = tmp_path / "deploy"
    with private_rabbit() as rabbit:
        # a broker node of its own: the shared one runs out of file descriptors while other suites' vhosts
        # (132 quorum queues each) load it, and readiness waits on the broker (docs/reliability.md)
        monkeypatch.setenv("HABITAT_TEST_AMQP_URL", rabbit.amqp_url)
        monkeypatch.setenv("RABBITMQ_NODENAME", rabbit.node)
        upgrade_then_rollback(previous, state, tmp_path)


def upgrade_then_rollback(previous: str, state: Path, tmp_path: Path) -> None:
    with (
        temporary_database("habitat_upgrade") as database_url,
        temporary_vhost("habitat_upgrade") as amqp_url,
        temporary_access(database_url, amqp_url) as access,
    ):
        config = StackConfig(
            database_url=database_url, amqp_url=amqp_url, ports=free_ports(), log_dir=state / "logs", access=access,
            extra_env={
                "IDENTITY_SIGNING_KEY_PASSPHRASE": secrets.token_hex(16),
                **{f"{p}_AUTH__JWKS_CACHE_SECONDS": str(JWKS_CACHE_SECONDS) for p in TOKEN_VERIFIERS},
            },
        )
        native.init(config, state, replicas=2)
        env = dict(os.environ) | {
            "HABITAT_STATE_DIR": str(state), "HABITAT_BACKUP_DIR": str(tmp_path / "backups"), "NO_COLOR": "1",
            "HABITAT_PYTHON": sys.executable,
        }
        try:
            # the previous release: its schema, its code, two replicas of each HTTP process
            native.migrate(previous, state)
            admin_email, admin_password = "admin@upgrade.coop", f"hab-{secrets.token_urlsafe(16)}"
            native.run_in_release(
                previous, ["-m", "habitat_identity.cli", "ensure-admin", "--email", admin_email, "--password-stdin",
                           "--no-password-change", "--display-name", "Upgrade Admin"],
                state, input=admin_password, text=True, check=True, capture_output=True,
            )
            phase = time.monotonic()
            native.start(previous, state)
            print(f"previous release started in {time.monotonic() - phase:.1f}s")
            old_release = str(native.release_dir(previous, state))
            assert live_releases(state) == {old_release}

            habitat = Habitat(stack=None, config=config, admin_email=admin_email, admin_password=admin_password)  # type: ignore[arg-type]
            admin = habitat.admin_token()
            period = habitat.call("POST", "/periods", admin, json=PERIOD)
            assert period.status_code == 201, period.text
            habitat.period_id = period.json()["id"]
            member_id, member = habitat.active_member()
            _, steward = habitat.active_member("steward")
            contribution = habitat.submit(member, {"type": "capital", "contributed_on": "2026-02-15", "amount": "500.00",
                                                   "description": "before the upgrade"})
            approved = habitat.call("POST", f"/contributions/{contribution['id']}/approve", steward, json={})
            assert approved.status_code == 200, approved.text
            eventually(lambda: habitat.capital(admin, member_id) == ("500.00", "500.00"), timeout=30.0)
            before = habitat.call("GET", "/contributions", member).json()

            reader = Reader(config.url, member, member_id)
            reader.start()
            time.sleep(1.0)
            phase = time.monotonic()
            upgraded = run_script("upgrade.sh", "--native", native.WORKING_TREE, env=env)
            upgrade_seconds = time.monotonic() - phase
            time.sleep(1.0)
            reader.halt.set()
            reader.join(30)
            print(f"upgrade in {upgrade_seconds:.1f}s; reads meanwhile: {reader.ok} ok, {len(reader.failures)} failed")
            assert upgraded.returncode == 0, upgraded.stderr
            assert reader.failures == [], f"{len(reader.failures)} failed reads of {reader.ok + len(reader.failures)}"
            assert reader.ok > 50, reader.ok

            # the new release serves, on the same data
            assert live_releases(state) == {str(ROOT)}
            record = dict(line.split("=", 1) for line in (state / "release.env").read_text().splitlines())
            assert record["HABITAT_VERSION"] == native.WORKING_TREE
            assert record["HABITAT_PREVIOUS_VERSION"] == previous
            assert Path(record["HABITAT_PRE_UPGRADE_BACKUP"]).is_file()
            assert habitat.capital(admin, member_id) == ("500.00", "500.00")
            # the same data; a release may add fields to an answer (expand), never drop or change one
            served = habitat.call("GET", "/contributions", member).json()
            assert {key: served[key] for key in before} == before

            if not FULL:
                return
            # written after the upgrade: a rollback to the pre-upgrade backup does not keep it
            later = habitat.submit(member, {"type": "capital", "contributed_on": "2026-02-16", "amount": "70.00",
                                            "description": "after the upgrade"})
            phase = time.monotonic()
            rolled_back = run_script("rollback.sh", "--native", env=env)
            print(f"rollback in {time.monotonic() - phase:.1f}s")
            assert rolled_back.returncode == 0, rolled_back.stderr
            assert live_releases(state) == {old_release}
            assert habitat.capital(admin, member_id) == ("500.00", "500.00")
            after = habitat.call("GET", "/contributions", member).json()
            assert after == before and later["id"] not in str(after)
            again = run_script("rollback.sh", "--native", env=env)
            assert again.returncode == 2 and "rolled back already" in again.stderr
        finally:
            native.stop(state)
            record = state / "release.env"
            replaced = [line.split("=", 1)[1] for line in record.read_text().splitlines()
                        if line.startswith("HABITAT_REPLACED_DATABASE=")] if record.exists() else []
            for name in replaced:
                drop_database(database_url, name)


def test_upgrade_refuses_an_unknown_version(tmp_path: Path) -> None:
    env = dict(os.environ) | {"HABITAT_STATE_DIR": str(tmp_path), "NO_COLOR": "1", "HABITAT_PYTHON": sys.executable}
    done = run_script("upgrade.sh", "--native", "no-such-ref-" + secrets.token_hex(4), env=env)
    assert done.returncode == 2
    assert "is not a commit" in done.stderr and "upgrade: FAILED" in done.stderr
    nothing = run_script("rollback.sh", "--native", env=env)
    assert nothing.returncode == 2 and "nothing to roll back" in nothing.stderr
