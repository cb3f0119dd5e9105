"""A real Prometheus and the exporters compose runs, as local processes watching a local Habitat stack.

Prometheus gets deploy/prometheus/prometheus.yml's jobs, each pointed at a loopback address instead of a
compose service (a job without a local target is an error, so a job added there is added here too), a
short scrape interval, and deploy/prometheus/alerts.yml as its rule file. Used by
tests/e2e/test_observability_live.py to evaluate every dashboard panel and alert against real data.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml
from habitat_common.ports import free_port

from habitat_devstack.stack import ROOT

PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
ALERTMANAGER = ROOT / "deploy" / "alertmanager"
RABBITMQ_PROMETHEUS_PORT = 15692
# service discovery and timing: replaced by static loopback targets and the harness's own interval
REPLACED = {"static_configs", "dns_sd_configs", "file_sd_configs", "docker_sd_configs", "scrape_interval",
            "scrape_timeout"}
# Debian's packages (apt-get install -y prometheus prometheus-node-exporter prometheus-postgres-exporter
# prometheus-alertmanager)
BINARIES = {
    "prometheus": "prometheus",
    "node": "prometheus-node-exporter",
    "postgres": "prometheus-postgres-exporter",
    "alertmanager": "prometheus-alertmanager",
}


class MissingTarget(Exception):
    """A job of the compose Prometheus config that has no local target."""


def missing_binaries() -> list[str]:
    """The Debian executables this harness needs and cannot find."""
    return [name for name in BINARIES.values() if shutil.which(name) is None]


def scrape_config(compose: dict, targets: dict[str, str], rule_files: list[str], interval: str) -> dict:
    """compose's Prometheus config with every job on its local target; MissingTarget names jobs without one."""
    jobs = [job["job_name"] for job in compose["scrape_configs"]]
    if missing := [job for job in jobs if job not in targets]:
        raise MissingTarget(f"no local target for the job(s) {missing} of {PROMETHEUS_CONFIG}")
    configs = []
    for job in compose["scrape_configs"]:
        kept = {key: value for key, value in job.items() if key not in REPLACED}
        configs.append(kept | {"static_configs": [{"targets": [targets[job["job_name"]]]}]})
    return {
        "global": {"scrape_interval": interval, "scrape_timeout": interval, "evaluation_interval": interval,
                   "external_labels": compose.get("global", {}).get("external_labels", {})},
        "rule_files": rule_files,
        "scrape_configs": configs,
    }


@dataclass
class Monitoring:
    """The monitoring processes of one run, in a private working directory, on free loopback ports."""

    workdir: Path
    interval: str = "2s"
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.textfile_dir.mkdir(exist_ok=True)
        self.ports = {name: free_port() for name in BINARIES}

    @property
    def textfile_dir(self) -> Path:
        return self.workdir / "textfile"

    @property
    def prometheus_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['prometheus']}"

    def address(self, name: str) -> str:
        return f"127.0.0.1:{self.ports[name]}"

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child process
        self.processes[name] = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir, env={**os.environ, **(env or {})},
            start_new_session=True,
        )

    def start_exporters(self, postgres_url: str) -> None:
        """The postgres exporter on postgres_url, the node exporter on the textfile dir, and Alertmanager."""
        self.start("postgres", [BINARIES["postgres"], f"--web.listen-address={self.address('postgres')}"],
                   {"DATA_SOURCE_NAME": postgres_url})
        self.start("node", [BINARIES["node"], f"--web.listen-address={self.address('node')}",
                            f"--collector.textfile.directory={self.textfile_dir}", "--no-collector.systemd"])
        rendered = self.workdir / "alertmanager.yml"
        self.start("alertmanager", [
            "sh", str(ALERTMANAGER / "render.sh"), str(rendered), BINARIES["alertmanager"],
            f"--config.file={rendered}", f"--storage.path={self.workdir / 'alertmanager-data'}",
            f"--web.listen-address={self.address('alertmanager')}", "--cluster.listen-address=",
        ], {  # where alerts would go; this harness never sends any (Prometheus has no alerting section here)
            "HABITAT_ALERT_EMAIL_TO": "ops@example.coop", "HABITAT_SMTP_SMARTHOST": "127.0.0.1:25",
            "HABITAT_SMTP_FROM": "alerts@example.coop", "HABITAT_SMTP_REQUIRE_TLS": "false",
        })

    def start_prometheus(self, targets: dict[str, str]) -> None:
        """Prometheus with compose's jobs on `targets` (plus itself) and the alert rules."""
        compose = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
        all_targets = {**targets, "prometheus": self.address("prometheus")}
        config = scrape_config(compose, all_targets, [str(RULES)], self.interval)
        path = self.workdir / "prometheus.yml"
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        self.start("prometheus", [
            BINARIES["prometheus"], f"--config.file={path}", f"--storage.tsdb.path={self.workdir / 'tsdb'}",
            f"--web.listen-address={self.address('prometheus')}", "--storage.tsdb.retention.time=1h",
        ])

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Until every started process answers over HTTP; fail with its log when one exits or stays silent."""
        urls = {name: f"http://{self.address(name)}/" for name in self.processes}
        urls["prometheus"] = self.prometheus_url + "/-/ready"
        deadline = time.monotonic() + timeout
        for name, url in urls.items():
            while not self._answers(url):
                if self.processes[name].poll() is not None or time.monotonic() > deadline:
                    log = (self.workdir / f"{name}.log").read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"{name} did not start:\n{log}")
                time.sleep(0.1)

    @staticmethod
    def _answers(url: str) -> bool:
        try:
            return httpx.get(url, timeout=2.0).status_code < 500
        except httpx.HTTPError:
            return False

    def stop_all(self) -> None:
        """Stop every process this harness started (SIGTERM, then SIGKILL after 10 s)."""
        if "api" in self.__dict__:
            self.api.close()
        for name in reversed(list(self.processes)):
            process = self.processes.pop(name)
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    # ---- Prometheus's HTTP API ----------------------------------------------------------------

    @functools.cached_property
    def api(self) -> httpx.Client:
        """One pooled client for the API (a client per call costs more than the query on a busy machine)."""
        return httpx.Client(base_url=self.prometheus_url, timeout=10.0, limits=httpx.Limits(max_connections=8))

    def query(self, expr: str) -> tuple[list[dict] | None, str]:
        """(series, "") for an instant query, or (None, error) when Prometheus refuses it."""
        response = self.api.post("/api/v1/query", data={"query": expr})
        body = response.json()
        if body.get("status") != "success":
            return None, f"{body.get('errorType')}: {body.get('error')}"
        result = body["data"]["result"]
        return (result if isinstance(result, list) else [result]), ""

    def targets(self) -> list[dict]:
        """Prometheus's active scrape targets with their health and last error."""
        response = self.api.get("/api/v1/targets", params={"state": "active"})
        return response.json()["data"]["activeTargets"]

    def rule_health(self) -> list[dict]:
        """Every loaded rule with its evaluation health."""
        response = self.api.get("/api/v1/rules")
        return [rule for group in response.json()["data"]["groups"] for rule in group["rules"]]


def rabbitmq_prometheus_url(timeout: float = 30.0) -> str:
    """The local broker's rabbitmq_prometheus endpoint, enabling the plugin first when it is off."""
    url = f"http://127.0.0.1:{RABBITMQ_PROMETHEUS_PORT}/metrics"
    if Monitoring._answers(url):
        return url
    # additive: it only opens the metrics listener, the broker keeps running
    subprocess.run(["rabbitmq-plugins", "enable", "rabbitmq_prometheus"], check=True, capture_output=True, timeout=60)
    deadline = time.monotonic() + timeout
    while not Monitoring._answers(url):
        if time.monotonic() > deadline:
            raise RuntimeError(f"rabbitmq_prometheus does not answer on {url}")
        time.sleep(0.2)
    return url
