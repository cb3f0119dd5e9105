"""deploy/setup.sh, natively on a throw-away database and vhost (issue 15): twice, the second run changing
nothing; .env with generated secrets; a placeholder left in .env refused by setup.sh and by the startups."""

from __future__ import annotations

import asyncio
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from habitat_common.provisioning import SERVICES
from habitat_common.provisioning.postgres import drop_roles, service_roles
from habitat_common.provisioning.rabbitmq import broker_users, delete_with_rabbitmqctl
from habitat_common.testing import temporary_database, temporary_vhost
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
SETUP = ROOT / "deploy" / "setup.sh"
EXAMPLE = ROOT / "deploy" / ".env.example"
KEY = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$", re.MULTILINE)


def _setup(env: dict[str, str], *args: str, timeout: float = 400) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SETUP), *args], check=False, env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def _records(state: Path) -> dict[str, int]:
    return {path.name: int(re.search(r'"pid": (\d+)', path.read_text()).group(1)) for path in (state / "run").glob("*.json")}


@pytest.fixture
def native_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with temporary_database("habitat_setup") as database_url, temporary_vhost("habitat_setup") as amqp_url:
        prefix = make_url(database_url).database
        env = {k: v for k, v in os.environ.items() if not k.startswith("HABITAT_")} | {
            "HABITAT_DEPLOY_MODE": "native",
            "HABITAT_STATE_DIR": str(tmp_path / "state"),
            "HABITAT_ENV_FILE": str(tmp_path / ".env"),
            "HABITAT_NATIVE_DATABASE_URL": database_url,
            "HABITAT_NATIVE_AMQP_URL": amqp_url,
            "HABITAT_NATIVE_REPLICAS": "1",
            "HABITAT_PYTHON": sys.executable,
            "NO_COLOR": "1",
        }
        try:
            yield env
        finally:
            stopped = _setup(env, "--stop", timeout=120)
            assert stopped.returncode == 0, stopped.stderr
            asyncio.run(drop_roles(database_url, [service_roles(prefix, s) for s in SERVICES]))
            delete_with_rabbitmqctl(broker_users(prefix).values())


def test_setup_twice_changes_nothing_the_second_time_and_refuses_a_placeholder(native_env: dict[str, str]) -> None:
    env_file, state = Path(native_env["HABITAT_ENV_FILE"]), Path(native_env["HABITAT_STATE_DIR"])

    first = _setup(native_env)
    assert first.returncode == 0, first.stderr
    url = first.stdout.strip().splitlines()[-1]
    assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    assert "done wrote" in first.stderr and "done migrations" in first.stderr and "done started" in first.stderr
    assert re.search(r"\[setup\] ready: [1-9]\d* changed", first.stderr), first.stderr[-2000:]
    smoke = (ROOT / "deploy" / "smoke-test.sh").exists()
    assert ("ok smoke test passed" in first.stderr) == smoke, first.stderr[-2000:]

    written = env_file.read_text()
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    values = dict(KEY.findall(written))
    assert not [k for k, v in values.items() if "change-me" in v]
    assert set(values) == set(dict(KEY.findall(EXAMPLE.read_text())))  # every key, nothing invented
    # every secret the example leaves for setup.sh to generate (optional ones, such as SMTP's, stay empty)
    generated = [
        k for k, v in KEY.findall(EXAMPLE.read_text()) if "change-me" in v and k not in ("HABITAT_DOMAIN", "HABITAT_VERSION")
    ]
    secrets = [values[k] for k in generated]
    assert len(secrets) >= 14 and len(set(secrets)) == len(secrets)  # each its own
    assert all(re.fullmatch(r"[0-9a-f]{48}|[0-9a-f]{64}", s) for s in secrets)
    assert values["HABITAT_VERSION"] not in ("", "latest")
    running = _records(state)
    assert len(running) == 11  # 5 HTTP processes, 4 workers (notifications' too), 2 Caddy
    assert {"notifications.0.json", "notifications-worker.0.json"} <= set(running)

    second = _setup(native_env, "--no-smoke")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip().splitlines()[-1] == url
    assert re.search(r"\[setup\] ready: 0 changed", second.stderr), second.stderr[-2000:]
    assert env_file.read_text() == written
    assert _records(state) == running  # not restarted
    assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200

    # the guide's first admin, natively: a one-time password that must be changed at the first sign-in
    admin = subprocess.run(
        [sys.executable, "-m", "habitat_devstack.setup_native", "admin", "--email", "first@setup.coop",
         "--display-name", "First Admin"],
        check=False, env=native_env, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert admin.returncode == 0, admin.stderr
    one_time = re.search(r"first@setup\.coop may sign in once with: (\S+)", admin.stdout)
    assert one_time, admin.stdout
    signed_in = httpx.post(f"{url}/api/v1/auth/login", json={"email": "first@setup.coop", "password": one_time[1]},
                           timeout=30)
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["must_change_password"] is True

    env_file.write_text(written.replace(f"LEDGER_DB_PASSWORD={values['LEDGER_DB_PASSWORD']}",
                                        "LEDGER_DB_PASSWORD=change-me-openssl-rand-hex-24"))
    refused = _setup(native_env)
    assert refused.returncode == 3, refused.stderr
    assert "LEDGER_DB_PASSWORD" in refused.stderr and "placeholder" in refused.stderr
    assert refused.stdout == ""
    # the native startup refuses it too, whoever starts it
    direct = subprocess.run(
        [sys.executable, "-m", "habitat_devstack.setup_native", "up", "--env-file", str(env_file)],
        check=False, env=native_env, capture_output=True, text=True, timeout=60,
    )
    assert direct.returncode == 1 and "LEDGER_DB_PASSWORD" in direct.stderr and "refusing" in direct.stderr
    assert _records(state) == running


def test_bad_usage_and_a_compose_setup_without_a_domain_fail_with_a_sentence(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HABITAT_")} | {
        "NO_COLOR": "1", "HABITAT_ENV_FILE": str(tmp_path / ".env"),
    }
    unknown = _setup(env, "--frobnicate")
    assert unknown.returncode == 2 and "unknown argument '--frobnicate'" in unknown.stderr
    bad_mode = _setup(env | {"HABITAT_DEPLOY_MODE": "swarm"})
    assert bad_mode.returncode == 2 and "native or compose" in bad_mode.stderr
    compose = _setup(env, "--compose")
    assert compose.returncode != 0 and "docker" in compose.stderr  # no engine here; else: no --domain
    assert not (tmp_path / ".env").exists()


def test_provisioning_refuses_the_examples_placeholders(monkeypatch: pytest.MonkeyPatch) -> None:
    """The compose stack's first one-shot: every service waits on it, so nothing starts on a placeholder."""
    from habitat_common.provisioning.__main__ import main

    monkeypatch.setenv("HABITAT_PROVISION_POSTGRES_URL", "postgresql://habitat:s3cret@127.0.0.1:1/habitat")
    monkeypatch.setenv("HABITAT_PROVISION_AMQP_URL", "amqp://habitat:s3cret@127.0.0.1:1/habitat")
    for service in SERVICES:
        for kind in ("DB_OWNER_PASSWORD", "DB_PASSWORD", "BROKER_PASSWORD"):
            monkeypatch.setenv(f"HABITAT_PROVISION_{service.upper()}__{kind}", f"{service}-{kind}-0a1b2c")
    monkeypatch.setenv("HABITAT_PROVISION_LEDGER__DB_PASSWORD", "change-me-openssl-rand-hex-24")
    with pytest.raises(SystemExit) as refused:
        main()
    assert "ledger.db_password" in str(refused.value) and "placeholder" in str(refused.value)
