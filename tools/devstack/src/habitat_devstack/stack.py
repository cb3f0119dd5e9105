"""Start every Habitat process (services, workers, gateway, Caddy) on this machine and stop them."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from habitat_common.ports import free_port

ROOT = Path(__file__).resolve().parents[4]
SERVICES = ("identity", "contributions", "ledger", "notifications")
DEV_PORTS = {
    "gateway": 8100,
    "identity": 8101,
    "contributions": 8102,
    "ledger": 8103,
    "notifications": 8104,
    "identity-worker": 8111,
    "contributions-worker": 8112,
    "ledger-worker": 8113,
    "notifications-worker": 8114,
    "caddy": 8080,
    "caddy-admin": 2019,
    # not started by Stack: make dev and the e2e stack run a local SMTP server (habitat_devstack.mailbox) here
    "mailbox": 8025,
}


KEEP_ALIVE_SECONDS = 75
# uvicorn's httptools protocol sending a response in one write, not two (habitat_common.web.http_protocol)
HTTP_PROTOCOL = "habitat_common.web.http_protocol:CoalescingHttpToolsProtocol"


def caddy_cpus() -> str:
    """GOMAXPROCS for Caddy: HABITAT_CADDY_CPUS, else half the machine's cores (at least one).

    Go's scheduler keeps threads for every core and spins them looking for work between requests; on a box whose
    cores the Python services and PostgreSQL keep busy that spinning is taken from them. Measured on the 2-core
    box, /api/v1/me through Caddy: Caddy's CPU per request 0.255 → 0.201 ms with one thread, +4.5 % requests/s
    (docs/performance.md)."""
    chosen = os.environ.get("HABITAT_CADDY_CPUS", "").strip()
    if not chosen:
        return str(max(1, (os.cpu_count() or 2) // 2))
    if not chosen.isdigit() or int(chosen) < 1:  # Go would ignore it silently and take every core
        raise ValueError(f"HABITAT_CADDY_CPUS={chosen!r}: give Caddy a whole number of threads, 1 or more")
    return str(int(chosen))


def free_ports() -> dict[str, int]:
    """A port per process, so several stacks can run side by side (habitat_common.ports)."""
    return {name: free_port() for name in DEV_PORTS}


def _target(name: str) -> str:
    if name == "gateway":
        return "habitat_gateway.app:create_app"
    service, _, worker = name.partition("-")
    module = "worker:create_worker" if worker else "http:create_app"
    return f"habitat_{service}.entrypoints.{module}"


@dataclass(frozen=True)
class ServiceAccess:
    """One service's own credentials: its runtime role, its schema owner (migrations) and its broker user."""

    database_url: str
    migration_database_url: str
    amqp_url: str | None = None  # None: the administrator's, and the workers declare the topology


@dataclass
class StackConfig:
    database_url: str  # the administrator's (tests reach into every schema with it)
    amqp_url: str
    ports: dict[str, int] = field(default_factory=lambda: dict(DEV_PORTS))
    log_dir: Path = ROOT / ".local" / "logs"
    extra_env: dict[str, str] = field(default_factory=dict)
    workers: dict[str, int] = field(default_factory=dict)  # uvicorn processes per HTTP service (default 1)
    access: dict[str, ServiceAccess] = field(default_factory=dict)  # per service; absent: the administrator's

    @property
    def url(self) -> str:
        return f"http://localhost:{self.ports['caddy']}"

    def service_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        jwks = f"{self.service_url('identity')}/.well-known/jwks.json"
        revocations = f"{self.service_url('identity')}/auth/revocations"
        for prefix in ("IDENTITY", "CONTRIBUTIONS", "LEDGER", "NOTIFICATIONS", "GATEWAY"):
            env[f"{prefix}_AUTH__JWKS_URL"] = jwks
            env[f"{prefix}_AUTH__REVOCATIONS_URL"] = revocations
        for service in SERVICES:
            prefix = service.upper()
            own = self.access.get(service)
            env[f"{prefix}_DATABASE__URL"] = own.database_url if own else self.database_url
            env[f"{prefix}_RABBIT__URL"] = own.amqp_url if own and own.amqp_url else self.amqp_url
            if own and own.amqp_url:
                env[f"{prefix}_RABBIT__DECLARE_TOPOLOGY"] = "false"
        env |= {
            "GATEWAY_IDENTITY_URL": self.service_url("identity"),
            "GATEWAY_CONTRIBUTIONS_URL": self.service_url("contributions"),
            "GATEWAY_LEDGER_URL": self.service_url("ledger"),
            "GATEWAY_NOTIFICATIONS_URL": self.service_url("notifications"),
            # every mail goes to the local mailbox, and its links lead back to this stack
            "NOTIFICATIONS_SMTP__HOST": "127.0.0.1",
            "NOTIFICATIONS_SMTP__PORT": str(self.ports["mailbox"]),
            "NOTIFICATIONS_SMTP__STARTTLS": "false",
            "NOTIFICATIONS_PUBLIC_URL": self.url,
            "HABITAT_SITE_ADDRESS": self.url,
            "HABITAT_GATEWAY_UPSTREAM": f"127.0.0.1:{self.ports['gateway']}",
            "HABITAT_CADDY_ADMIN": f"localhost:{self.ports['caddy-admin']}",
            "XDG_DATA_HOME": str(self.log_dir / "caddy-data"),
            "XDG_CONFIG_HOME": str(self.log_dir / "caddy-config"),
            "GOMAXPROCS": caddy_cpus(),
            "PYTHONUNBUFFERED": "1",
        }
        return env | self.extra_env


def migrate(config: StackConfig) -> None:
    """Run every service's Alembic migrations (each in its own schema, as its owner role) up to head.

    The services' histories are independent (each owns its schema), so they run at once."""

    def upgrade(service: str) -> None:
        env = config.env()
        if own := config.access.get(service):
            env[f"{service.upper()}_DATABASE__URL"] = own.migration_database_url
        subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(ROOT / "services" / service / "alembic.ini"), "upgrade", "head"],
            env=env, check=True, capture_output=True, cwd=ROOT,
        )

    with ThreadPoolExecutor(max_workers=len(SERVICES)) as pool:
        for done in [pool.submit(upgrade, service) for service in SERVICES]:
            done.result()


def _reap(process: subprocess.Popen, timeout: float) -> None:
    """Wait for a signalled process; SIGKILL its group if it outlives the timeout."""
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class Stack:
    """The running processes; start/stop individually to test crashes and restarts."""

    PROCESSES = (
        "identity", "identity-worker", "contributions", "contributions-worker",
        "ledger", "ledger-worker", "notifications", "notifications-worker", "gateway",
    )

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.processes: dict[str, subprocess.Popen] = {}
        config.log_dir.mkdir(parents=True, exist_ok=True)

    def _command(self, name: str) -> list[str]:
        if name == "caddy":
            return [shutil.which("caddy") or "caddy", "run", "--config", str(ROOT / "Caddyfile"), "--adapter", "caddyfile"]
        return [
            sys.executable, "-m", "uvicorn", "--factory", _target(name),
            "--host", "127.0.0.1", "--port", str(self.config.ports[name]), "--no-access-log", "--lifespan", "on",
            # longer than the clients' pooled keep-alives (gateway 30 s, Caddy 60 s), so a server never
            # closes a connection a client is about to reuse
            "--timeout-keep-alive", str(KEEP_ALIVE_SECONDS), "--http", HTTP_PROTOCOL,
            "--workers", str(self.config.workers.get(name, 1)),
        ]

    def start(self, name: str) -> None:
        log = open(self.config.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child process
        self.processes[name] = subprocess.Popen(
            self._command(name), env=self.config.env(), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
            start_new_session=True,
        )

    def wait_ready(self, name: str, timeout: float = 60.0) -> None:
        url = self.config.url + "/healthz" if name == "caddy" else self.config.service_url(name) + "/readyz"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes[name]
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}; see {self.config.log_dir}/{name}.log")
            try:
                if httpx.get(url, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{name} not ready after {timeout}s; see {self.config.log_dir}/{name}.log")

    def start_all(self) -> None:
        for name in self.PROCESSES:
            self.start(name)
        self.start("caddy")
        for name in (*self.PROCESSES, "caddy"):
            self.wait_ready(name)

    def kill(self, name: str) -> None:
        """Crash a process (SIGKILL: no shutdown hooks run), as a power cut would."""
        process = self.processes.pop(name, None)
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop(self, name: str, timeout: float = 15.0) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        _reap(process, timeout)

    def stop_all(self, timeout: float = 15.0) -> None:
        """SIGTERM every process at once, so their graceful shutdowns overlap (a second signal would make
        uvicorn skip its own); SIGKILL what is still running when the timeout is up."""
        running = [p for p in reversed(list(self.processes.values())) if p.poll() is None]
        self.processes.clear()
        for process in running:
            os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in running:
            _reap(process, max(0.1, deadline - time.monotonic()))
