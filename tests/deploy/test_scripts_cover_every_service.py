"""Every deploy script and native-deployment step covers every service (issue 17 added notifications): the
compose upgrade migrates and replaces each process, the rollback stops and starts each, the restore migrates
and validates each schema; the native deployment runs a release's services, lays out a new one on an old
deployment, and hands the SMTP settings of .env to notifications.

The scripts' runs are tests/deploy/test_backup_scripts.py (restore), tests/deploy/test_setup.py (native
setup) and tests/e2e/test_upgrade.py (native upgrade and rollback); this module pins their lists."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from habitat_common.provisioning import SERVICES
from habitat_devstack import native, setup_native
from habitat_devstack.stack import ServiceAccess, StackConfig, free_ports

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = yaml.safe_load((ROOT / "docker-compose.prod.yml").read_text())["services"]
# the application's long-running processes: built from the repository, restarted (the one-shots are not)
PROCESSES = {
    name for name, service in COMPOSE.items()
    if (service.get("build") or {}).get("args", {}).get("SERVICE") and service.get("restart") != "no"
}
MIGRATIONS = {name for name in COMPOSE if name.startswith("migrate-")}


def words_after(pattern: str, text: str) -> list[set[str]]:
    """The words each match of pattern's group holds, line continuations joined."""
    return [set(found.split()) for found in re.findall(pattern, text.replace("\\\n", " "))]


def test_compose_runs_each_service_with_its_worker_and_migration() -> None:
    assert "notifications" in SERVICES
    assert PROCESSES == {*SERVICES, *(f"{s}-worker" for s in SERVICES), "gateway"}
    assert MIGRATIONS == {f"migrate-{s}" for s in SERVICES}


def test_the_compose_upgrade_migrates_and_replaces_every_process() -> None:
    script = (DEPLOY / "upgrade.sh").read_text()
    [jobs] = words_after(r"for job in (.*?); do", script)
    assert jobs == {"provision", *MIGRATIONS}
    [rolled] = words_after(r"for svc in (.*?); do", script)
    assert rolled == PROCESSES


def test_the_compose_rollback_stops_and_starts_every_process() -> None:
    script = (DEPLOY / "rollback.sh").read_text()
    [stopped] = words_after(r"compose stop (.*?) >&2", script)
    assert stopped == PROCESSES
    started = set().union(*words_after(r"compose up -d --no-deps (.*?) >&2", script))
    assert started == PROCESSES


def test_the_restore_provisions_migrates_and_validates_every_schema() -> None:
    [restored] = words_after(r"\nSERVICES=\((.*?)\)", (DEPLOY / "restore.sh").read_text())
    assert restored == set(SERVICES)
    sys.path.insert(0, str(DEPLOY))
    try:
        import restore_check
    finally:
        sys.path.remove(str(DEPLOY))
    assert restore_check.SERVICES == SERVICES
    assert set(restore_check.HTTP_PROCESSES) == {*SERVICES, "gateway"}
    assert set(restore_check.passwords("habitat")) == set()  # none in this environment: roles keep theirs


# ---- the native deployment ----------------------------------------------------------------------------


def a_release_before(service: str, tmp_path: Path) -> Path:
    """A release directory like one exported from a commit before `service` existed."""
    release = tmp_path / "release"
    for other in SERVICES:
        if other != service:
            shutil.copytree(ROOT / "services" / other / "migrations", release / "services" / other / "migrations")
            shutil.copy(ROOT / "services" / other / "alembic.ini", release / "services" / other / "alembic.ini")
    return release


def test_a_release_runs_the_services_it_has(tmp_path: Path) -> None:
    assert native.release_services(ROOT) == SERVICES
    assert native.release_processes(ROOT) == PROCESSES
    older = a_release_before("notifications", tmp_path)
    assert native.release_services(older) == ("identity", "contributions", "ledger")
    assert {"notifications", "notifications-worker"}.isdisjoint(native.release_processes(older))


def config(tmp_path: Path) -> StackConfig:
    access = {
        s: ServiceAccess(database_url=f"postgresql+asyncpg://habitat_{s}:pw@db/habitat",
                         migration_database_url=f"postgresql+asyncpg://habitat_{s}_owner:pw@db/habitat")
        for s in SERVICES
    }
    return StackConfig(database_url="postgresql+asyncpg://postgres@db/habitat", amqp_url="amqp://guest:guest@mq/",
                       ports=free_ports(), log_dir=tmp_path / "logs", access=access,
                       extra_env={"NOTIFICATIONS_SMTP__HOST": "smtp.example.coop"})


def test_a_deployment_laid_out_before_notifications_is_refused_then_adopts_it(tmp_path: Path) -> None:
    state = tmp_path / "state"
    native.init(config(tmp_path), state, replicas=2)
    # as deploy/setup.sh --native laid it out before notifications existed
    laid_out = json.loads((state / "stack.json").read_text())
    for key in ("replicas", "lb_ports", "migration_urls"):
        laid_out[key] = {k: v for k, v in laid_out[key].items() if not k.startswith("notifications")}
    laid_out["env"] = {k: v for k, v in laid_out["env"].items() if "NOTIFICATIONS" not in k}
    (state / "stack.json").write_text(json.dumps(laid_out))

    with pytest.raises(native.DeployError, match=r"notifications.*deploy/setup.sh --native"):
        native.migrate(native.WORKING_TREE, state)
    # an older release's processes are still addressed without it
    assert ("notifications", 0) not in native._wave(native.NativeStack.load(state), 0)

    assert native.adopt(config(tmp_path), state, replicas=2) == ["notifications"]
    stack = native.NativeStack.load(state)
    assert len(stack.replicas["notifications"]) == 2 and len(stack.replicas["notifications-worker"]) == 1
    assert stack.migration_urls["notifications"].startswith("postgresql+asyncpg://habitat_notifications_owner:")
    balancer = stack.lb_ports["notifications"]
    assert stack.env["GATEWAY_NOTIFICATIONS_URL"] == f"http://127.0.0.1:{balancer}"
    assert stack.env["NOTIFICATIONS_DATABASE__URL"].startswith("postgresql+asyncpg://habitat_notifications:")
    assert stack.env["NOTIFICATIONS_AUTH__JWKS_URL"] == f"http://127.0.0.1:{stack.lb_ports['identity']}/.well-known/jwks.json"
    assert stack.env["NOTIFICATIONS_SMTP__HOST"] == "smtp.example.coop"
    assert stack.env["NOTIFICATIONS_PUBLIC_URL"] == stack.url
    assert {k: v for k, v in stack.env.items() if "NOTIFICATIONS" not in k} == laid_out["env"]  # the rest kept
    assert native.adopt(config(tmp_path), state, replicas=2) == []  # once


def test_native_setup_hands_the_smtp_settings_of_env_to_notifications(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"NOTIFICATIONS_SMTP_HOST": "smtp.example.coop", "NOTIFICATIONS_SMTP_PORT": "465",
           "NOTIFICATIONS_SMTP_STARTTLS": "false", "NOTIFICATIONS_SMTP_TLS": "true", "NOTIFICATIONS_SMTP_USERNAME": "",
           "NOTIFICATIONS_SMTP_PASSWORD": "", "NOTIFICATIONS_SMTP_FROM_ADDRESS": "habitat@example.coop",
           "HABITAT_COOP_NAME": "Green Acres"}
    assert setup_native.mail_settings(env) == {
        "NOTIFICATIONS_SMTP__HOST": "smtp.example.coop", "NOTIFICATIONS_SMTP__PORT": "465",
        "NOTIFICATIONS_SMTP__STARTTLS": "false", "NOTIFICATIONS_SMTP__TLS": "true",
        "NOTIFICATIONS_SMTP__FROM_ADDRESS": "habitat@example.coop", "NOTIFICATIONS_COOP_NAME": "Green Acres",
    }
    from habitat_notifications.config import NotificationsSettings

    for name, value in setup_native.mail_settings(env).items():  # as the notifications processes read them
        monkeypatch.setenv(name, value)
    settings = NotificationsSettings()
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.tls, settings.smtp.starttls) == (
        "smtp.example.coop", 465, True, False)
    assert settings.smtp.username is None and settings.smtp.password is None  # blank: no login
    assert (settings.smtp.from_address, settings.coop_name) == ("habitat@example.coop", "Green Acres")
    assert setup_native.mail_settings({**env, "NOTIFICATIONS_SMTP_HOST": ""}) == {}
    assert "NOTIFICATIONS_SMTP_HOST is empty" in capsys.readouterr().err


# ---- monitoring -----------------------------------------------------------------------------------------


def test_mail_has_its_alerts_and_the_notifications_processes_their_absence_rules() -> None:
    rules = [r for g in yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())["groups"] for r in g["rules"]]
    alerts = {(r["alert"], r["labels"]["severity"]): r["expr"] for r in rules if "alert" in r}
    failing = alerts[("HabitatMailFailing", "warning")]
    assert "habitat_notifications_messages_total" in failing and "failed|bounced" in failing
    for severity in ("warning", "critical"):
        assert "habitat_notifications_oldest_queued_seconds" in alerts[("HabitatMailDelayed", severity)]
    absent = {r["labels"].get("job") for r in rules if r.get("alert") == "HabitatServiceAbsent"}
    assert {"notifications", "notifications-worker"} <= absent


def test_an_upgrade_that_brings_notifications_announces_the_members_to_it() -> None:
    # without it the new service's member replica stays empty and nobody gets mail
    upgrade = (DEPLOY / "upgrade.sh").read_text()
    assert re.search(r'count == 0\)\) && \[\[ "\$svc" == notifications-worker \]\]; then announce_members=1', upgrade)
    assert "compose exec -T identity python -m habitat_identity.cli republish-members" in upgrade
    setup = Path(setup_native.__file__).read_text()
    assert '"notifications" in added' in setup and '"republish-members"' in setup
