"""Alerts that reach a person: every rule is well-formed and unit-tested, and Alertmanager's config (rendered
from the environment by deploy/alertmanager/render.sh, as compose runs it) routes and inhibits as intended.

The last test runs Debian's Alertmanager 0.25 (the compose image's version) on loopback with a local webhook
receiver and a local SMTP sink, posts alerts to its API and reads what it delivered and what it held back.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import socketserver
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from habitat_common.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
ALERTMANAGER = ROOT / "deploy" / "alertmanager"
RENDER = ALERTMANAGER / "render.sh"
HABITAT_JOBS = ("gateway", "identity", "contributions", "ledger", "notifications", "identity-worker",
                "contributions-worker", "ledger-worker", "notifications-worker")
SCRAPED_JOBS = {*HABITAT_JOBS, "rabbitmq", "postgres", "caddy", "node", "alertmanager", "prometheus"}
RULES = [rule for group in yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"] for rule in group["rules"]]
ALERTS = [rule for rule in RULES if "alert" in rule]
COMPARISON = re.compile(r"^(?P<signal>.+?)\s*(?:==|!=|>=|<=|>|<)\s*(?P<threshold>[0-9.]+)$", re.DOTALL)
ABSENT = re.compile(r"^absent\((?P<signal>.+)\)$", re.DOTALL)
SETTINGS = {
    "HABITAT_ALERT_EMAIL_TO": "ops@example.coop",
    "HABITAT_SMTP_SMARTHOST": "mail.example.coop:587",
    "HABITAT_SMTP_FROM": "Habitat alerts <alerts@example.coop>",
    "HABITAT_SMTP_USERNAME": "alerts@example.coop",
    "HABITAT_SMTP_PASSWORD": 'we"ird\\pa$$ word',
    "HABITAT_ALERT_WEBHOOK_URL": "https://hooks.example.coop/habitat?token=abc",
}


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (deploy/lib/prerequisites.sh --with-test-tools installs it)")
    return path


def render(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    """render.sh with only these settings in its environment; the config lands in tmp_path/alertmanager.yml."""
    env = {"PATH": os.environ["PATH"], **settings}
    return subprocess.run(["sh", str(RENDER), str(tmp_path / "alertmanager.yml")], env=env, check=False,
                          capture_output=True, text=True, timeout=30)


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    result = render(tmp_path, **SETTINGS)
    assert result.returncode == 0, result.stderr
    return tmp_path / "alertmanager.yml"


def signal_of(expr: str) -> str:
    expr = expr.strip()
    match = ABSENT.match(expr) or COMPARISON.match(expr)
    assert match, f"not `<signal> <comparison> <threshold>` nor `absent(<selector>)`: {expr}"
    return match["signal"]


# ---- the rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", ALERTS, ids=lambda rule: f"{rule['alert']}-{rule['labels']['severity']}")
def test_each_alert_has_a_severity_a_text_and_its_runbook(rule: dict) -> None:
    assert rule["labels"]["severity"] in ("critical", "warning")
    annotations = rule["annotations"]
    assert annotations["summary"] and annotations["description"]
    assert annotations["runbook"] == f"docs/runbooks/{rule['alert'].removeprefix('Habitat')}.md"


def test_every_signal_alone_is_a_valid_query(tmp_path: Path) -> None:
    """The live dashboard test evaluates each alert's signal without its threshold: each must parse alone."""
    signals = [{"record": f"signal:{i}", "expr": signal_of(rule["expr"])} for i, rule in enumerate(ALERTS)]
    path = tmp_path / "signals.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "signals", "rules": signals}]}))
    result = subprocess.run([tool("promtool"), "check", "rules", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(ALERTS)} rules found" in result.stdout
    assert "HabitatHttpErrors" in {r["alert"] for r in ALERTS if ">= bool" in r["expr"]}  # the traffic guard


def test_the_issue_list_of_alerts_is_covered_with_more_than_the_seeds_23_rules() -> None:
    names = {rule["alert"] for rule in ALERTS}
    assert {"HabitatServiceAbsent", "HabitatQueueNoConsumer", "HabitatQueueGrowing", "HabitatDeadLetters",
            "HabitatOutboxStalled", "HabitatEventLag", "HabitatDatabaseConnectionsNearLimit", "HabitatHttpErrors",
            "HabitatHttpSlow", "HabitatSigninFailuresSpike", "HabitatCertificateExpiring", "HabitatBackupStale",
            "HabitatBackupMissing", "HabitatDiskNearlyFull", "HabitatDbPoolWaiting", "HabitatExporterDown"} <= names
    assert len(ALERTS) >= 23
    expressions = "\n".join(rule["expr"] for rule in ALERTS)
    for metric in ("habitat_event_lag_seconds_bucket", "habitat_tls_certificate_expiry_timestamp_seconds",
                   "habitat_backup_last_success_timestamp_seconds", "pg_stat_database_numbackends",
                   "pg_settings_max_connections", "rabbitmq_queue_consumers", "rabbitmq_queue_messages_ready",
                   "habitat_signin_attempts_total", "node_filesystem_avail_bytes", "habitat_db_pool_waiting"):
        assert metric in expressions, metric
    slow = next(rule for rule in ALERTS if rule["alert"] == "HabitatHttpSlow")
    assert "habitat_http_request_duration_seconds_bucket" in slow["expr"] and "long" not in slow["expr"]


def test_every_habitat_process_has_its_own_absence_rule_and_every_job_is_scraped() -> None:
    absent = {rule["labels"]["job"]: rule["expr"] for rule in ALERTS if rule["alert"] == "HabitatServiceAbsent"}
    assert set(absent) == set(HABITAT_JOBS)
    for job, expr in absent.items():
        assert expr == f'absent(up{{job="{job}"}} == 1)'
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    assert {job["job_name"] for job in config["scrape_configs"]} == SCRAPED_JOBS
    rabbitmq = next(job for job in config["scrape_configs"] if job["job_name"] == "rabbitmq")
    assert rabbitmq["metrics_path"] == "/metrics/per-object"  # per-queue series
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["alertmanager:9093"]


def test_each_alert_fires_in_a_unit_test_and_stays_quiet_in_another() -> None:
    cases = [case for test in yaml.safe_load((PROMETHEUS / "alerts.test.yml").read_text())["tests"]
             for case in test["alert_rule_test"]]
    for name in {rule["alert"] for rule in ALERTS}:
        fired = [c for c in cases if c["alertname"] == name and c.get("exp_alerts")]
        quiet = [c for c in cases if c["alertname"] == name and not c.get("exp_alerts")]
        assert fired, f"{name}: no promtool case where it fires"
        assert quiet, f"{name}: no promtool case where it stays quiet"
        severities = {a["exp_labels"]["severity"] for c in fired for a in c["exp_alerts"]}
        assert severities == {r["labels"]["severity"] for r in ALERTS if r["alert"] == name}, name


# ---- Alertmanager's config ---------------------------------------------------------------------------


def test_the_rendered_config_passes_amtool_and_keeps_odd_secrets_intact(rendered: Path) -> None:
    result = subprocess.run([tool("amtool"), "check-config", str(rendered)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load(rendered.read_text())
    assert config["global"]["smtp_auth_password"] == SETTINGS["HABITAT_SMTP_PASSWORD"]
    assert config["global"]["smtp_from"] == SETTINGS["HABITAT_SMTP_FROM"]
    [webhook] = next(r for r in config["receivers"] if r["name"] == "email-and-webhook")["webhook_configs"]
    assert webhook["url"] == SETTINGS["HABITAT_ALERT_WEBHOOK_URL"]
    assert oct(rendered.stat().st_mode & 0o777) == "0o600"  # it holds the SMTP password


def test_without_a_webhook_critical_alerts_go_by_mail_only(tmp_path: Path) -> None:
    settings = {k: v for k, v in SETTINGS.items() if k != "HABITAT_ALERT_WEBHOOK_URL"}
    assert render(tmp_path, **settings).returncode == 0
    result = subprocess.run([tool("amtool"), "check-config", str(tmp_path / "alertmanager.yml")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    critical = next(r for r in yaml.safe_load((tmp_path / "alertmanager.yml").read_text())["receivers"]
                    if r["name"] == "email-and-webhook")
    assert "webhook_configs" not in critical and critical["email_configs"][0]["to"] == "ops@example.coop"


@pytest.mark.parametrize("missing", ["HABITAT_ALERT_EMAIL_TO", "HABITAT_SMTP_SMARTHOST", "HABITAT_SMTP_FROM"])
def test_without_a_mail_destination_alertmanager_does_not_start(tmp_path: Path, missing: str) -> None:
    result = render(tmp_path, **{k: v for k, v in SETTINGS.items() if k != missing})
    assert result.returncode == 2 and missing in result.stderr
    assert not (tmp_path / "alertmanager.yml").exists()


def test_a_bad_tls_setting_is_refused(tmp_path: Path) -> None:
    result = render(tmp_path, **SETTINGS, HABITAT_SMTP_REQUIRE_TLS="yes")
    assert result.returncode == 2 and "HABITAT_SMTP_REQUIRE_TLS" in result.stderr


@pytest.mark.parametrize("labels, receiver", [
    ("severity=critical alertname=HabitatServiceAbsent job=ledger-worker", "email-and-webhook"),
    ("severity=critical alertname=HabitatDiskNearlyFull", "email-and-webhook"),
    ("severity=warning alertname=HabitatBackupStale", "email"),
    ("severity=warning alertname=HabitatAlertNotificationsFailing integration=email", "email-and-webhook"),
])
def test_routes_send_critical_to_mail_and_webhook_and_warnings_to_mail(rendered, labels, receiver) -> None:
    result = subprocess.run([tool("amtool"), "config", "routes", "test", "--config.file", str(rendered),
                             f"--verify.receivers={receiver}", *labels.split()], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_alertmanager_through_render_sh_with_every_setting() -> None:
    service = yaml.safe_load((ROOT / "docker-compose.prod.yml").read_text())["services"]["alertmanager"]
    assert service["profiles"] == ["monitoring"]
    assert service["image"] == "prom/alertmanager:v0.25.0"  # the version amtool checks here (Debian)
    _, script, output, binary = service["entrypoint"]
    assert (script, binary) == ("/etc/alertmanager/render.sh", "/bin/alertmanager")
    assert f"--config.file={output}" in service["command"]
    placeholders = set(re.findall(r"\$\{([A-Z0-9_]+)\}", (ALERTMANAGER / "alertmanager.yml").read_text()))
    assert placeholders <= set(service["environment"])
    assert "./deploy/alertmanager:/etc/alertmanager:ro" in service["volumes"]
    example = (ROOT / "deploy" / ".env.example").read_text()
    assert all(f"\n{name}=" in example for name in placeholders)


# ---- a real Alertmanager ----------------------------------------------------------------------------


class _Webhook(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.server.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


class _SmtpSink(socketserver.StreamRequestHandler):
    """Just enough SMTP for Alertmanager without TLS or auth: every message's text is kept."""

    def handle(self) -> None:
        self.wfile.write(b"220 sink\r\n")
        lines: list[bytes] | None = None
        while line := self.rfile.readline():
            if lines is not None:
                if line.rstrip(b"\r\n") == b".":
                    self.server.mails.append(b"".join(lines).decode(errors="replace"))
                    lines = None
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line)
                continue
            verb = line[:4].upper()
            if verb == b"DATA":
                lines = []
                self.wfile.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def live_alertmanager(tmp_path: Path) -> Iterator[tuple[str, list, list]]:
    """Alertmanager on loopback, its webhook and SMTP server local; group_wait shortened to a second."""
    binary = tool("prometheus-alertmanager")
    webhook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Webhook)
    webhook.received = []
    smtp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpSink)
    smtp.mails = []
    for server in (webhook, smtp):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    result = render(tmp_path, **{**SETTINGS, "HABITAT_SMTP_SMARTHOST": f"127.0.0.1:{smtp.server_address[1]}",
                                 "HABITAT_SMTP_USERNAME": "", "HABITAT_SMTP_PASSWORD": "",
                                 "HABITAT_SMTP_REQUIRE_TLS": "false",
                                 "HABITAT_ALERT_WEBHOOK_URL": f"http://127.0.0.1:{webhook.server_address[1]}/hook"})
    assert result.returncode == 0, result.stderr
    config = tmp_path / "alertmanager.yml"
    config.write_text(re.sub(r"group_wait: \w+", "group_wait: 1s", config.read_text()))
    url = f"http://127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.path={tmp_path / 'data'}",
         f"--web.listen-address={url.removeprefix('http://')}", "--cluster.listen-address="],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(url + "/-/ready", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"alertmanager did not start: {process.communicate()[1][-2000:]}")
                time.sleep(0.1)
        yield url, webhook.received, smtp.mails
    finally:
        process.terminate()
        process.wait(timeout=10)
        for server in (webhook, smtp):
            server.shutdown()
            server.server_close()


def post_alerts(url: str, alerts: list[dict[str, str]]) -> None:
    body = json.dumps([{"labels": labels, "annotations": {"summary": labels["alertname"]}} for labels in alerts])
    request = urllib.request.Request(url + "/api/v2/alerts", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5).close()


def test_a_real_alertmanager_delivers_critical_to_both_and_holds_back_what_is_explained(live_alertmanager) -> None:
    url, webhook, mails = live_alertmanager
    post_alerts(url, [
        {"alertname": "HabitatServiceAbsent", "severity": "critical", "job": "ledger-worker"},
        # explained by the absent worker: held back
        {"alertname": "HabitatQueueNoConsumer", "severity": "critical", "job": "ledger-worker",
         "queue": "ledger.contributions.contribution_approved.v1", "vhost": "habitat"},
        # another worker's queue: delivered
        {"alertname": "HabitatQueueNoConsumer", "severity": "critical", "job": "contributions-worker",
         "queue": "contributions.identity.member_registered.v1", "vhost": "habitat"},
        # the critical twin holds back the warning
        {"alertname": "HabitatEventLag", "severity": "critical", "consumer": "ledger"},
        {"alertname": "HabitatEventLag", "severity": "warning", "consumer": "ledger"},
        {"alertname": "HabitatBackupStale", "severity": "warning"},
    ])
    deadline, state = time.monotonic() + 30, {}
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url + "/api/v2/alerts", timeout=5) as response:
            state = {(a["labels"]["alertname"], a["labels"].get("job", a["labels"]["severity"])): a["status"]["state"]
                     for a in json.load(response)}
        delivered = {(a["labels"]["alertname"], a["labels"].get("job", "")) for n in webhook for a in n["alerts"]}
        if len(delivered) >= 3 and len(mails) >= 4 and list(state.values()).count("suppressed") == 2:
            break
        time.sleep(0.5)
    assert state[("HabitatQueueNoConsumer", "ledger-worker")] == "suppressed"
    assert state[("HabitatEventLag", "warning")] == "suppressed"
    assert state[("HabitatQueueNoConsumer", "contributions-worker")] == "active"
    assert state[("HabitatBackupStale", "warning")] == "active"
    webhook_alerts = {(a["labels"]["alertname"], a["labels"]["severity"], a["labels"].get("job", ""))
                      for notification in webhook for a in notification["alerts"]}
    assert webhook_alerts == {  # critical only, and nothing held back
        ("HabitatServiceAbsent", "critical", "ledger-worker"),
        ("HabitatQueueNoConsumer", "critical", "contributions-worker"),
        ("HabitatEventLag", "critical", ""),
    }
    mailed = "\n".join(mails)
    assert len(mails) == 4, mailed[-3000:]  # the three critical groups and the warning, one mail per group
    assert "HabitatBackupStale" in mailed and "To: ops@example.coop" in mailed
