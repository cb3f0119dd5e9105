"""Every dashboard panel and every alert watches series that exist: a real Prometheus against the real stack.

Prometheus (Debian's), the postgres and node exporters and Alertmanager run as local processes with
deploy/prometheus/prometheus.yml's jobs pointed at the session's stack (its seven processes, Caddy's admin
endpoint, the shared broker's rabbitmq_prometheus endpoint) and deploy/prometheus/alerts.yml loaded. After
traffic through the gateway — sign-ins (one failed), a contribution of each type, decisions, a CSV import,
reads — each panel query and each alert's signal is evaluated: it must parse and return at least one series.
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from habitat_devstack import dashboards
from habitat_devstack.monitoring import (
    PROMETHEUS_CONFIG,
    Monitoring,
    missing_binaries,
    rabbitmq_prometheus_url,
)
from habitat_devstack.stack import ROOT, Stack

from .conftest import Habitat, eventually

pytestmark = pytest.mark.e2e

TRAFFIC_SECONDS = 60  # a minute of a co-op's traffic before the queries are evaluated
ROSTER = "email,display_name,role,joined_at\n{email},Observed Importer,member,2020-01-01\n"


@pytest.fixture(scope="module")
def monitoring(habitat: Habitat, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Monitoring]:
    if missing := missing_binaries():
        pytest.fail(f"missing {missing}: deploy/lib/prerequisites.sh --with-test-tools installs them")
    rabbitmq = rabbitmq_prometheus_url()
    run = Monitoring(tmp_path_factory.mktemp("monitoring"))
    try:
        database = re.sub(r"^postgresql\+asyncpg://", "postgresql://", habitat.config.database_url)
        back_up(habitat, run.workdir, database)
        smoke_test(habitat, run.textfile_dir)
        write_certificate_expiry(run.textfile_dir)
        run.start_exporters(f"{database}?sslmode=disable")
        ports = habitat.config.ports
        targets = {name: f"127.0.0.1:{ports[name]}" for name in Stack.PROCESSES} | {
            "caddy": f"127.0.0.1:{ports['caddy-admin']}",
            "rabbitmq": rabbitmq.removeprefix("http://").split("/")[0],
            "postgres": run.address("postgres"),
            "node": run.address("node"),
            "alertmanager": run.address("alertmanager"),
        }
        run.start_prometheus(targets)
        run.wait_ready()
        yield run
    finally:
        run.stop_all()


def back_up(habitat: Habitat, workdir: Path, database: str) -> None:
    """deploy/backup.sh against the stack's database, writing its metrics to the textfile directory."""
    result = subprocess.run(
        [str(ROOT / "deploy" / "backup.sh"), "--native"], check=False, cwd=ROOT, capture_output=True, text=True,
        timeout=60,
        env={**habitat.config.env(), "HABITAT_BACKUP_DIR": str(workdir / "backups"),
             "HABITAT_BACKUP_DATABASE_URL": database, "HABITAT_TEXTFILE_DIR": str(workdir / "textfile")},
    )
    assert result.returncode == 0, result.stderr[-2000:]


def smoke_test(habitat: Habitat, directory: Path) -> None:
    """deploy/smoke-test.sh against the stack, writing its metrics (its HTTPS checks fail on plain HTTP: fine)."""
    metrics = directory / "habitat_smoke.prom"
    result = subprocess.run(
        [str(ROOT / "deploy" / "smoke-test.sh"), habitat.url, "--requests", "2", "--metrics-file", str(metrics)],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**habitat.config.env(), "HABITAT_DEPLOY_MODE": "native"},
    )
    assert metrics.exists(), result.stdout[-1000:] + result.stderr[-2000:]


def write_certificate_expiry(directory: Path) -> None:
    """The certificate series the smoke test writes over HTTPS (the stack here is plain HTTP: no certificate)."""
    expires = int(time.time()) + 60 * 86400
    (directory / "habitat_tls.prom").write_text(
        "# TYPE habitat_tls_certificate_expiry_timestamp_seconds gauge\n"
        f'habitat_tls_certificate_expiry_timestamp_seconds{{host="localhost"}} {expires}\n'
    )


def drive_traffic(habitat: Habitat, seconds: float) -> None:
    """What a co-op's day looks like through Caddy, for `seconds`."""
    deadline = time.monotonic() + seconds
    admin = habitat.admin_token()
    failed = habitat.call("POST", "/auth/login", json={"email": f"nobody-{uuid.uuid4().hex[:8]}@e2e.coop",
                                                        "password": "not-the-password"})
    assert failed.status_code == 401, failed.text
    member_id, member = habitat.active_member("member")
    _, steward = habitat.active_member("steward")
    submitted = [
        habitat.submit(member, {"type": "labor", "contributed_on": "2026-02-02", "hours": "3", "rate": "100.00",
                                "description": "Observed labor"}),
        habitat.submit(member, {"type": "capital", "contributed_on": "2026-02-03", "amount": "40.00",
                                "description": "Observed capital"}),
        habitat.submit(member, {"type": "property", "contributed_on": "2026-02-04", "fair_market_value": "90.00",
                                "adjusted_basis": "60.00", "description": "Observed property"}),
    ]
    for contribution in submitted[:2]:
        approved = habitat.call("POST", f"/contributions/{contribution['id']}/approve", steward, json={})
        assert approved.status_code == 200, approved.text
    rejected = habitat.call("POST", f"/contributions/{submitted[2]['id']}/reject", steward,
                            json={"reason": "Not ours to book"})
    assert rejected.status_code == 200, rejected.text
    imported = habitat.call("POST", "/members/import", admin, params={"dry_run": "false"},
                            content=ROSTER.format(email=f"observed-{uuid.uuid4().hex[:8]}@e2e.coop").encode(),
                            headers={"Content-Type": "text/csv"})
    assert imported.status_code in (200, 201), imported.text
    eventually(lambda: habitat.capital(admin, member_id) != ("0.00", "0.00"), timeout=30.0)
    with habitat.client() as client:
        reads = ("/me/dashboard", "/me", "/review-queue")
        while time.monotonic() < deadline:
            for path in reads:
                client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {member if path != '/review-queue' else steward}"})
            client.get(f"/api/v1/capital-accounts/{member_id}", headers={"Authorization": f"Bearer {admin}"})
            time.sleep(0.2)


def variable_values(run: Monitoring, board: dict) -> dict[str, str]:
    """What each dashboard variable stands for: 'All' where it has one, else the first value Prometheus knows."""
    values = {}
    for variable in board.get("templating", {}).get("list", []):
        if variable.get("type") == "datasource":
            continue
        if (everything := dashboards.all_value(variable)) is not None:
            values[variable["name"]] = everything
            continue
        selector, label = dashboards.label_values_selector(dashboards.variable_query(variable)) or ("", "")
        response = run.api.get(f"/api/v1/label/{label}/values", params={"match[]": selector})
        found = response.json().get("data") or [""]
        values[variable["name"]] = found[0]
    return values


def unanswered(run: Monitoring, queries: list[dashboards.Query]) -> list[str]:
    """Each query that Prometheus refuses or answers with no series, and why."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda query: run.query(query.expr), queries))
    problems = []
    for query, (series, error) in zip(queries, answers, strict=True):
        if series is None:
            problems.append(f"{query.source}: does not parse ({error}): {query.expr}")
        elif not series:
            problems.append(f"{query.source}: no series: {query.expr}")
    return problems


def targets_down(run: Monitoring, timeout: float = 15.0) -> list[str]:
    """The targets whose last scrape failed, once every one has had the chance of a few scrapes."""
    deadline = time.monotonic() + timeout
    while True:
        targets = run.targets()
        down = [f"{t['labels']['job']} {t['scrapeUrl']}: {t['health']} {t['lastError']}"
                for t in targets if t["health"] != "up"]
        # on a busy machine one scrape may time out: what counts is that the target answers again
        if not down or time.monotonic() > deadline:
            return down
        time.sleep(1.0)


@pytest.mark.timeout(150, func_only=True)  # the test itself; the session's stack may start before it
def test_every_panel_and_alert_has_data_and_every_target_is_up(habitat: Habitat, monitoring: Monitoring) -> None:
    drive_traffic(habitat, TRAFFIC_SECONDS)
    time.sleep(4)  # two more scrapes and rule evaluations after the last request

    down = targets_down(monitoring)
    assert not down, "targets not up:\n" + "\n".join(down)
    jobs = {target["labels"]["job"] for target in monitoring.targets()}
    assert jobs == {job["job_name"] for job in yaml.safe_load(PROMETHEUS_CONFIG.read_text())["scrape_configs"]}

    broken_rules = [f"{rule['name']}: {rule.get('lastError')}" for rule in monitoring.rule_health() if rule["health"] == "err"]
    queries = [q for name, board in dashboards.load_dashboards().items()
               for q in dashboards.dashboard_queries(name, board, variable_values(monitoring, board))]
    problems = broken_rules + unanswered(monitoring, queries + dashboards.alert_signals())
    assert not problems, f"{len(problems)} of {len(queries)} panel/variable queries and the alerts without data:\n" + "\n".join(problems)
