"""The deployment files are valid for the tools that run them: Caddy, docker-compose, Prometheus.

Nothing here needs a Docker engine: compose files are checked with `docker-compose config`,
the Caddyfile with `caddy validate`/`adapt` and a short-lived Caddy in front of a stub upstream.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from habitat_common.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
CADDYFILE = ROOT / "Caddyfile"
COMPOSE = ROOT / "docker-compose.prod.yml"
PROMETHEUS = ROOT / "deploy" / "prometheus"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"

SERVICES = ("identity", "contributions", "ledger", "notifications")
SCALABLE = (*SERVICES, *(f"{s}-worker" for s in SERVICES), "gateway")
SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
COMPOSE_SECRETS = {
    "POSTGRES_PASSWORD": "pg-secret-123",
    "RABBITMQ_PASSWORD": "mq-secret-456",
    "SIGNING_KEY_PASSPHRASE": "keys-secret-789",
    "DEVICE_COOKIE_SECRET": "device-secret-321",
    "MONITORING_DB_PASSWORD": "monitoring-secret-654",
    "HABITAT_DOMAIN": "habitat.example.coop",
    "HABITAT_VERSION": "0.1.0",  # no default: never a floating "latest"
    "NOTIFICATIONS_SMTP_HOST": "smtp.example.coop",  # members' mail has no safe default server or sender
    "NOTIFICATIONS_SMTP_FROM_ADDRESS": "habitat@example.coop",
    **{f"{s.upper()}_{kind}_PASSWORD": f"{s}-{kind.lower()}-secret" for s in SERVICES for kind in ("DB_OWNER", "DB", "MQ")},
}
ADMIN_SECRETS = ("pg-secret-123", "mq-secret-456")


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it with apt-get)")
    return path


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without any Habitat/compose variables leaking in from the shell."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("HABITAT_", "COMPOSE_"))}
    for name in COMPOSE_SECRETS:
        keep.pop(name, None)
    return {**keep, **extra}


def run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, check=False, cwd=ROOT, env=env or clean_env(), capture_output=True, text=True, timeout=60
    )


# ---- Caddy ---------------------------------------------------------------------------


def caddy_validate(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run([tool("caddy"), "validate", "--config", str(CADDYFILE), "--adapter", "caddyfile"], env)


def caddy_adapt(env: dict[str, str]) -> dict:
    result = run([tool("caddy"), "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_caddyfile_validates_for_dev_defaults() -> None:
    result = caddy_validate(clean_env())
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


def test_caddyfile_validates_for_a_production_domain() -> None:
    result = caddy_validate(clean_env(HABITAT_SITE_ADDRESS="habitat.example.coop"))
    assert result.returncode == 0, result.stderr


def test_dev_site_is_plain_http_on_8080_and_proxies_to_local_gateway() -> None:
    config = caddy_adapt(clean_env())
    server = config["apps"]["http"]["servers"]["srv0"]
    assert server["listen"] == [":8080"]
    text = json.dumps(config)
    assert '"dial": "127.0.0.1:8100"' in text
    assert '"uri": "/healthz"' in text
    assert "tls" not in config["apps"]


def test_production_site_gets_automatic_https_for_its_domain() -> None:
    config = caddy_adapt(
        clean_env(HABITAT_SITE_ADDRESS="habitat.example.coop", HABITAT_GATEWAY_UPSTREAM="gateway:8100")
    )
    server = config["apps"]["http"]["servers"]["srv0"]
    assert server["listen"] == [":443"]
    text = json.dumps(config)
    assert '"habitat.example.coop"' in text
    assert '"dial": "gateway:8100"' in text


def test_adapted_config_sets_security_headers_and_hides_server() -> None:
    text = json.dumps(caddy_adapt(clean_env()))
    for name, value in SECURITY_HEADERS.items():
        assert json.dumps({name: [value]})[1:-1] in text, name
    assert '"delete": ["Server"]' in text
    assert '"encodings": {"gzip": {}, "zstd": {}}' in text


def test_admin_api_is_local_only_or_off() -> None:
    assert caddy_adapt(clean_env())["admin"]["listen"] == "localhost:2019"
    assert caddy_adapt(clean_env(HABITAT_CADDY_ADMIN="off"))["admin"] == {"disabled": True}


class _StubGateway(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"secret metrics" if self.path.startswith("/metrics") else b"hello from gateway " * 50
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def live_caddy() -> Iterator[str]:
    """Caddy with our Caddyfile on an ephemeral port in front of a stub gateway."""
    caddy = tool("caddy")
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _StubGateway)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{free_port()}"
    env = clean_env(
        HABITAT_SITE_ADDRESS=site,
        HABITAT_GATEWAY_UPSTREAM=f"127.0.0.1:{upstream.server_address[1]}",
        HABITAT_CADDY_ADMIN="off",
    )
    process = subprocess.Popen(
        [caddy, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                urllib.request.urlopen(site + "/", timeout=1).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"caddy did not start: {process.communicate()[1][-2000:]}")
                time.sleep(0.1)
        yield site
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
        upstream.shutdown()
        upstream.server_close()


def test_live_caddy_proxies_with_security_headers_and_compression(live_caddy: str) -> None:
    request = urllib.request.Request(live_caddy + "/", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, name
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Server" not in response.headers


def test_live_caddy_does_not_expose_metrics(live_caddy: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(live_caddy + "/metrics", timeout=5)
    assert error.value.code == 404
    assert b"secret" not in error.value.read()


def test_live_caddy_answers_413_to_a_body_over_ten_megabytes(live_caddy: str) -> None:
    """The body is cut off while streaming to the gateway: 413 (Caddy 2.6 alone would say 502)."""
    small = urllib.request.Request(live_caddy + "/api/v1/auth/login", data=b"x" * 100, method="POST")
    with urllib.request.urlopen(small, timeout=10) as response:
        assert response.status == 200
    answer = post_reading_while_sending(live_caddy, "/api/v1/auth/login", 11 * 1024 * 1024)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def post_reading_while_sending(base_url: str, path: str, size: int) -> bytes:
    """POST size bytes and return what the server answered, read while the body is still going out.

    Caddy answers 413 and closes once 10 MB are in, while the client is still sending; the rest of the body
    then meets a reset, and a reset discards whatever the client had not read yet. A client that sends it all
    before reading (urllib) therefore sometimes sees the 413 and sometimes only 'connection reset'.
    """
    host, port = base_url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=30)
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {size}\r\nConnection: close\r\n\r\n")
    received = bytearray()

    def read() -> None:
        try:
            while chunk := connection.recv(65536):
                received.extend(chunk)
        except OSError:
            pass

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        connection.sendall(head.encode())
        chunk, sent = b"x" * 65536, 0
        while sent < size:
            connection.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass  # cut off by the server, as expected once it has answered
    reader.join(timeout=30)
    connection.close()
    return bytes(received)


# ---- docker-compose ------------------------------------------------------------------


def compose_config(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    empty_env_file = tmp_path / "empty.env"  # ignore a real .env an operator may have
    empty_env_file.write_text("")
    return run([tool("docker-compose"), "--env-file", str(empty_env_file), "-f", str(COMPOSE), "config"], env)


def yaml_to_data(text: str) -> dict:
    """Parse YAML with PyYAML, or with the interpreter of docker-compose v1 (which ships PyYAML)."""
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        pass
    else:
        return yaml.safe_load(text)
    shebang = Path(tool("docker-compose")).read_bytes()[:200].split(b"\n", 1)[0].decode(errors="replace")
    if not shebang.startswith("#!") or "python" not in shebang:
        pytest.skip("PyYAML is not installed and docker-compose is not the Python v1 tool")
    interpreter = shebang[2:].split()
    code = "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"
    result = subprocess.run([*interpreter, "-c", code], input=text, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The normalized compose model, variables interpolated, anchors resolved."""
    result = compose_config(clean_env(**COMPOSE_SECRETS), tmp_path_factory.mktemp("compose"))
    assert result.returncode == 0, result.stderr
    return yaml_to_data(result.stdout)


def test_compose_config_is_valid_with_secrets_set(compose: dict) -> None:
    services = compose["services"]
    expected = {"postgres", "rabbitmq", "provision", "gateway", "caddy", *SCALABLE, *(f"migrate-{s}" for s in SERVICES)}
    assert expected <= set(services)
    url = services["ledger"]["environment"]["LEDGER_DATABASE__URL"]
    assert url == "postgresql+asyncpg://habitat_ledger:ledger-db-secret@postgres:5432/habitat"


@pytest.mark.parametrize("missing", sorted(COMPOSE_SECRETS))
def test_compose_config_fails_without_a_required_secret(missing: str, tmp_path: Path) -> None:
    env = clean_env(**{k: v for k, v in COMPOSE_SECRETS.items() if k != missing})
    result = compose_config(env, tmp_path)
    assert result.returncode != 0
    assert missing in result.stderr


def test_each_service_waits_for_its_migration_and_infrastructure(compose: dict) -> None:
    services = compose["services"]
    for name in SERVICES:
        migrate = services[f"migrate-{name}"]
        assert migrate["command"] == ["alembic", "-c", f"services/{name}/alembic.ini", "upgrade", "head"]
        assert migrate["image"] == services[name]["image"]
        assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
        for process in (name, f"{name}-worker"):
            depends = services[process]["depends_on"]
            assert depends[f"migrate-{name}"]["condition"] == "service_completed_successfully", process
            assert depends["postgres"]["condition"] == "service_healthy", process
            assert depends["rabbitmq"]["condition"] == "service_healthy", process
            assert services[process]["image"] == services[name]["image"], process


def test_every_service_uses_its_own_database_role_and_broker_user(compose: dict) -> None:
    """Issue 13: migrations as the schema owner, processes as the runtime role; nobody as the administrator."""
    services = compose["services"]
    for name in SERVICES:
        prefix = name.upper()
        for process, role, secret in (
            (f"migrate-{name}", f"habitat_{name}_owner", f"{name}-db_owner-secret"),
            (name, f"habitat_{name}", f"{name}-db-secret"),
            (f"{name}-worker", f"habitat_{name}", f"{name}-db-secret"),
        ):
            environment = services[process]["environment"]
            url = environment[f"{prefix}_DATABASE__URL"]
            assert url == f"postgresql+asyncpg://{role}:{secret}@postgres:5432/habitat", process
            assert environment[f"{prefix}_RABBIT__URL"] == f"amqp://habitat_{name}:{name}-mq-secret@rabbitmq:5672/habitat"
            assert environment[f"{prefix}_RABBIT__DECLARE_TOPOLOGY"] in ("false", False), process
        for process in (name, f"{name}-worker"):  # the owner's password stays with the migrations
            assert f"{name}-db_owner-secret" not in json.dumps(services[process]["environment"]), process


def test_only_the_provisioning_one_shot_knows_the_administrators_passwords(compose: dict) -> None:
    services = compose["services"]
    for name, service in services.items():
        if name in ("postgres", "rabbitmq", "provision"):
            continue
        environment = json.dumps(service.get("environment", {}))
        assert "://postgres" not in environment and "://habitat:" not in environment, name
        assert not any(secret in environment for secret in ADMIN_SECRETS), name
    provision = services["provision"]
    assert provision["command"] == ["python", "-m", "habitat_common.provisioning"]
    assert provision["restart"] == "no"
    assert provision["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert provision["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
    environment = provision["environment"]
    assert environment["HABITAT_PROVISION_POSTGRES_URL"] == "postgresql://habitat:pg-secret-123@postgres:5432/habitat"
    assert environment["HABITAT_PROVISION_AMQP_URL"] == "amqp://habitat:mq-secret-456@rabbitmq:5672/habitat"
    for name in SERVICES:
        for kind, secret in (("DB_OWNER", "db_owner"), ("DB", "db"), ("BROKER", "mq")):
            assert environment[f"HABITAT_PROVISION_{name.upper()}__{kind}_PASSWORD"] == f"{name}-{secret}-secret"
        assert services[f"migrate-{name}"]["depends_on"]["provision"]["condition"] == "service_completed_successfully"


def test_the_provisioning_settings_read_the_compose_environment(compose: dict, monkeypatch) -> None:
    from habitat_common.provisioning.__main__ import ProvisionSettings

    for key, value in compose["services"]["provision"]["environment"].items():
        monkeypatch.setenv(key, str(value))
    settings = ProvisionSettings()
    assert (settings.prefix, settings.management_url) == ("habitat", "http://rabbitmq:15672")
    assert settings.ledger.db_password.get_secret_value() == "ledger-db-secret"


def test_every_required_compose_variable_is_in_the_env_example() -> None:
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", COMPOSE.read_text()))
    listed = set(re.findall(r"(?m)^([A-Z0-9_]+)=", (ROOT / "deploy" / ".env.example").read_text()))
    assert required - listed == set()
    assert set(COMPOSE_SECRETS) <= required


def test_every_long_running_service_has_a_healthcheck(compose: dict) -> None:
    for name, service in compose["services"].items():
        if name.startswith("migrate-") or name == "provision":  # one-shots
            continue
        assert service.get("healthcheck", {}).get("test"), name
        assert not service["healthcheck"].get("disable", False), name


def test_python_processes_run_the_documented_app_on_the_documented_port(compose: dict) -> None:
    services = compose["services"]
    expected = {"gateway": ("habitat_gateway.app:create_app", "8100")}
    for port, name in enumerate(SERVICES, start=1):
        expected[name] = (f"habitat_{name}.entrypoints.http:create_app", f"810{port}")
        expected[f"{name}-worker"] = (f"habitat_{name}.entrypoints.worker:create_worker", f"811{port}")
    for name, (app, port) in expected.items():
        environment = services[name]["environment"]
        assert (environment["HABITAT_APP"], str(environment["PORT"])) == (app, port), name


def test_every_python_process_takes_today_in_the_coops_time_zone(compose: dict) -> None:
    services = compose["services"]
    processes = ["gateway", *SERVICES, *(f"{name}-worker" for name in SERVICES)]
    for name in processes:
        assert services[name]["environment"]["HABITAT_COOP_TIME_ZONE"] == "UTC", name  # default when .env is silent


def test_every_token_verifying_process_follows_identitys_revocation_feed_and_keys(compose: dict) -> None:
    """Issue 13: without the feed URL a process polls itself (127.0.0.1) and accepts ended sessions."""
    services = compose["services"]
    identity_port = services["identity"]["environment"]["PORT"]
    http_processes = [
        name for name, service in services.items()
        if str(service.get("environment", {}).get("HABITAT_APP", "")).endswith(":create_app")
    ]
    assert sorted(http_processes) == sorted(["gateway", *SERVICES])  # the processes that verify tokens
    for name in http_processes:
        environment, prefix = services[name]["environment"], name.upper()
        assert environment[f"{prefix}_AUTH__REVOCATIONS_URL"] == f"http://identity:{identity_port}/auth/revocations", name
        assert environment[f"{prefix}_AUTH__JWKS_URL"] == f"http://identity:{identity_port}/.well-known/jwks.json", name
        assert f"{prefix}_AUTH__REVOCATIONS_POLL_SECONDS" not in environment, name  # the 1 s default


def test_scalable_services_have_no_container_name_or_host_ports(compose: dict) -> None:
    for name in SCALABLE:
        service = compose["services"][name]
        assert "container_name" not in service, name
        assert not service.get("ports"), name


def test_caddy_is_the_only_public_entry(compose: dict) -> None:
    services = compose["services"]
    caddy = services["caddy"]
    assert caddy["image"].startswith("caddy:2")
    assert caddy["environment"] == {
        "HABITAT_SITE_ADDRESS": "habitat.example.coop",
        "HABITAT_GATEWAY_UPSTREAM": "gateway:8100",
        "GOMAXPROCS": "1",
    }
    assert any(volume.startswith("caddy_data:/data") for volume in caddy["volumes"])
    assert any(volume.endswith(":/etc/caddy/Caddyfile:ro") for volume in caddy["volumes"])
    published = {str(port["published"]) for port in caddy["ports"]}
    assert published == {"80", "443"}
    for name, service in services.items():
        for port in service.get("ports", []) if name != "caddy" else []:
            host_ip = port.split(":")[0] if isinstance(port, str) else port.get("host_ip")
            assert host_ip == "127.0.0.1", f"{name} publishes {port} beyond loopback"
    assert "backend" not in caddy["networks"]


def test_forwarding_headers_are_believed_only_from_named_proxies(compose: dict) -> None:
    """Caddy (fixed address) → gateway → services (backend network): never `*`, never a /0."""
    raw = COMPOSE.read_text()
    assert not re.search(r"(FORWARDED_ALLOW_IPS|TRUSTED_PROXIES)\s*[:=]\s*['\"]?\*", raw)
    assert not re.search(r"FORWARDED_ALLOW_IPS=\*", DOCKERFILE.read_text())
    services = compose["services"]
    caddy = services["caddy"]["networks"]["frontend"]["ipv4_address"]
    [backend] = [pool["subnet"] for pool in compose["networks"]["backend"]["ipam"]["config"]]
    trusted = {
        (name, key): value
        for name, service in services.items()
        for key, value in (service.get("environment") or {}).items()
        if key == "FORWARDED_ALLOW_IPS" or key.endswith("_TRUSTED_PROXIES")
    }
    assert trusted[("gateway", "GATEWAY_TRUSTED_PROXIES")] == trusted[("gateway", "FORWARDED_ALLOW_IPS")] == caddy
    assert trusted[("identity", "IDENTITY_TRUSTED_PROXIES")] == trusted[("identity", "FORWARDED_ALLOW_IPS")] == backend
    for (name, key), value in trusted.items():
        assert "*" not in value and not value.endswith("/0"), (name, key, value)


def test_identity_replicas_share_one_device_cookie_secret(compose: dict) -> None:
    for name in ("identity", "identity-worker"):
        assert compose["services"][name]["environment"]["IDENTITY_DEVICE_COOKIE_SECRET"] == "device-secret-321"


def test_state_lives_in_named_volumes(compose: dict) -> None:
    services = compose["services"]
    assert any(v.startswith("postgres_data:/var/lib/postgresql/data") for v in services["postgres"]["volumes"])
    assert any(v.startswith("rabbitmq_data:/var/lib/rabbitmq") for v in services["rabbitmq"]["volumes"])
    assert services["rabbitmq"]["hostname"] == "rabbitmq"
    assert {"postgres_data", "rabbitmq_data", "caddy_data"} <= set(compose["volumes"])


# ---- Prometheus ----------------------------------------------------------------------


def test_alert_rules_are_valid() -> None:
    result = run([tool("promtool"), "check", "rules", str(PROMETHEUS / "alerts.yml")])
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_config_is_valid() -> None:
    result = run([tool("promtool"), "check", "config", str(PROMETHEUS / "prometheus.yml")])
    assert result.returncode == 0, result.stdout + result.stderr


def test_alerts_fire_on_the_scenarios_they_are_for() -> None:
    result = run([tool("promtool"), "test", "rules", str(PROMETHEUS / "alerts.test.yml")])
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rules_watch_the_metrics_the_services_export() -> None:
    rules = (PROMETHEUS / "alerts.yml").read_text()
    for metric in (
        "habitat_outbox_backlog",
        "habitat_outbox_oldest_unpublished_seconds",
        "habitat_import_events_oldest_pending_seconds",
        "habitat_events_failed_total",
        "habitat_http_request_duration_seconds_bucket",
        "absent(up{job=",
    ):
        assert metric in rules, metric


# ---- image and CI script -------------------------------------------------------------


def test_request_bodies_stay_small_except_imports() -> None:
    def limits(node, match=None):
        """(route matcher, max_size) of every request_body handler in the adapted config."""
        if isinstance(node, dict):
            match = node.get("match", match)
            if node.get("handler") == "request_body":
                yield json.dumps(match), node["max_size"]
            for value in node.values():
                yield from limits(value, match)
        elif isinstance(node, list):
            for value in node:
                yield from limits(value, match)

    found = dict(limits(caddy_adapt(clean_env())["apps"]["http"]["servers"]["srv0"]["routes"]))
    assert sorted(found.values()) == [10_000_000, 1_000_000_000]
    [imports] = [match for match, size in found.items() if size == 1_000_000_000]
    assert "/api/v1/imports/*" in imports and '"not"' not in imports


def test_servers_keep_connections_open_longer_than_their_clients_pool_them() -> None:
    from habitat_devstack.stack import KEEP_ALIVE_SECONDS
    from habitat_gateway.clients.transport import POOL_KEEPALIVE_SECONDS

    docker = re.search(r"--timeout-keep-alive (\d+)", DOCKERFILE.read_text())
    caddy_idle = re.search(r'"idle_timeout":\s*(\d+)', json.dumps(caddy_adapt(clean_env())))
    assert docker and caddy_idle, "the services' and Caddy's keep-alives are set explicitly"
    service_keep_alive = int(docker.group(1))
    assert service_keep_alive == KEEP_ALIVE_SECONDS  # production and dev run the services alike
    assert POOL_KEEPALIVE_SECONDS < service_keep_alive  # gateway → services
    assert int(caddy_idle.group(1)) / 1e9 < service_keep_alive  # Caddy → gateway


def test_caddy_keeps_enough_idle_connections_to_the_services_it_proxies() -> None:
    """Caddy's default keeps 2 idle connections per upstream: with more requests in flight, every other one was
    sent on a new connection, which then sat in TIME-WAIT (3,500 in 4 s under the read bench)."""

    def transports(node):
        if isinstance(node, dict):
            if node.get("handler") == "reverse_proxy":
                yield node.get("transport", {})
            for value in node.values():
                yield from transports(value)
        elif isinstance(node, list):
            for value in node:
                yield from transports(value)

    services = ("IDENTITY", "CONTRIBUTIONS", "LEDGER", "NOTIFICATIONS")
    internal_env = clean_env(**{f"HABITAT_LB_{name}_PORT": str(8300 + i) for i, name in enumerate(services)},
                             **{f"HABITAT_LB_{name}_UPSTREAMS": f"127.0.0.1:{8400 + i}" for i, name in enumerate(services)})
    internal = run([tool("caddy"), "adapt", "--config", str(ROOT / "deploy" / "Caddyfile.internal"),
                    "--adapter", "caddyfile"], internal_env)
    assert internal.returncode == 0, internal.stderr
    for config in (caddy_adapt(clean_env()), json.loads(internal.stdout)):
        found = list(transports(config))
        assert found and all(t.get("keep_alive", {}).get("max_idle_conns_per_host", 0) >= 256 for t in found), found


def test_every_launch_runs_the_services_on_the_coalescing_protocol(tmp_path) -> None:
    """The image, the dev stack and native deployments start uvicorn with one --http, a class that imports;
    a release from before the protocol existed is started on uvicorn's own."""
    import importlib

    from habitat_devstack.native import http_protocol_options
    from habitat_devstack.stack import HTTP_PROTOCOL, ROOT, Stack, StackConfig
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    docker = re.search(r"--http (\S+?)\"", DOCKERFILE.read_text())
    assert docker and docker.group(1) == HTTP_PROTOCOL
    module, _, name = HTTP_PROTOCOL.partition(":")
    assert issubclass(getattr(importlib.import_module(module), name), HttpToolsProtocol)
    command = Stack(StackConfig(database_url="postgresql://x", amqp_url="amqp://x", ports={"gateway": 1},
                                log_dir=tmp_path))._command("gateway")
    assert command[command.index("--http") + 1] == HTTP_PROTOCOL
    assert http_protocol_options(ROOT) == ["--http", HTTP_PROTOCOL]
    assert http_protocol_options(tmp_path) == []


def test_caddy_runs_on_half_the_cores_or_what_the_operator_sets(compose: dict, tmp_path, monkeypatch) -> None:
    """GOMAXPROCS for Caddy: compose 1 unless HABITAT_CADDY_CPUS says otherwise, Kubernetes 1 (its CPU limit is
    500m), the dev stack and native deployments half the machine's cores (at least one) or HABITAT_CADDY_CPUS."""
    from habitat_devstack import native
    from habitat_devstack.stack import StackConfig, caddy_cpus, free_ports

    assert compose["services"]["caddy"]["environment"]["GOMAXPROCS"] == "1"
    raised = compose_config(clean_env(**COMPOSE_SECRETS, HABITAT_CADDY_CPUS="4"), tmp_path)
    assert yaml_to_data(raised.stdout)["services"]["caddy"]["environment"]["GOMAXPROCS"] == "4"
    k8s = yaml_to_data((ROOT / "deploy" / "k8s" / "base" / "caddy.yaml").read_text().split("\n---", 1)[0])
    caddy = k8s["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "GOMAXPROCS", "value": "1"} in caddy["env"]
    assert caddy["resources"]["limits"]["cpu"] == "500m"

    monkeypatch.delenv("HABITAT_CADDY_CPUS", raising=False)
    for cores, threads in ((8, "4"), (2, "1"), (1, "1"), (None, "1")):
        monkeypatch.setattr(os, "cpu_count", lambda cores=cores: cores)
        assert caddy_cpus() == threads
    for wrong in ("0", "-1", "two", "1.5"):
        monkeypatch.setenv("HABITAT_CADDY_CPUS", wrong)
        with pytest.raises(ValueError, match="HABITAT_CADDY_CPUS"):
            caddy_cpus()
    monkeypatch.setenv("HABITAT_CADDY_CPUS", " 3 ")
    config = StackConfig(database_url="postgresql://x", amqp_url="amqp://x", ports=free_ports(), log_dir=tmp_path)
    assert config.env()["GOMAXPROCS"] == "3"
    stack = native.NativeStack(env={}, migration_urls={}, database_url="postgresql://x",
                               replicas={name: [1] for name in ("gateway", *SERVICES)},
                               lb_ports=dict.fromkeys(SERVICES, 2), edge_port=3, edge_admin_port=4, lb_admin_port=5)
    assert native._caddy_env(stack, tmp_path)["GOMAXPROCS"] == "3"
    # a wrong one is refused in a sentence before anything starts: `make dev` and a native deployment's start
    monkeypatch.setenv("HABITAT_CADDY_CPUS", "two")
    with pytest.raises(native.DeployError, match="HABITAT_CADDY_CPUS='two'"):
        native._caddy_env(stack, tmp_path)
    wrong = {"HABITAT_CADDY_CPUS": "two", "HABITAT_DEV_PG_ADMIN_URL": "postgresql://postgres@127.0.0.1:9/postgres"}
    dev = subprocess.run([sys.executable, "-m", "habitat_devstack.dev"], env={**os.environ, **wrong},  # no database
                         capture_output=True, text=True, timeout=60, check=False)
    assert (dev.returncode, dev.stdout) == (1, "")
    assert dev.stderr.strip() == "error: HABITAT_CADDY_CPUS='two': give Caddy a whole number of threads, 1 or more"


def test_dockerfile_runs_as_non_root_with_a_healthcheck() -> None:
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    assert any(re.fullmatch(r"ARG PYTHON_IMAGE=python:3\.11\.\d+-slim-\w+", line) for line in lines)
    assert any(line.startswith("ARG SERVICE") for line in lines)
    final_stage = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM ")) :]
    users = [line for line in final_stage if line.startswith("USER ")]
    assert users and "root" not in users[-1] and users[-1] != "USER 0"
    assert any(line.startswith("HEALTHCHECK") for line in final_stage)
    assert any("/healthz" in line for line in final_stage)


def test_the_gateway_image_carries_the_guides_where_its_setting_points() -> None:
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    final_stage = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM ")) :]
    copies = [line.split()[1:] for line in final_stage if line.startswith("COPY ") and "--from" not in line]
    setting = [line.split("=", 1)[1] for line in final_stage if line.startswith("ENV GATEWAY_GUIDES_DIR=")]
    assert setting, "the runtime stage sets GATEWAY_GUIDES_DIR"
    assert ["docs/guides", setting[0]] in copies, "the runtime stage copies docs/guides where the setting points"
    assert (ROOT / "docs" / "guides" / "getting-started.md").is_file()


def test_the_image_installs_the_font_the_ledgers_pdfs_are_set_in() -> None:
    """The ledger falls back to Helvetica (Latin-1 only) where DejaVu Sans is missing: the image must have it,
    where the ledger looks for it."""
    from habitat_ledger.adapters.pdf_fonts import BOLD, FALLBACKS, FONT_DIRS, REGULAR

    text = DOCKERFILE.read_text()
    final_stage = text[text.rindex("\nFROM ") :]
    assert re.search(r"apt-get install [^\n]*fonts-dejavu-core fonts-droid-fallback fonts-nanum", final_stage)
    debian = FONT_DIRS[0]  # where fonts-dejavu-core puts them
    assert str(debian) == "/usr/share/fonts/truetype/dejavu" and {REGULAR, BOLD} == {"DejaVuSans", "DejaVuSans-Bold"}
    prerequisites = (ROOT / "deploy" / "lib" / "prerequisites.sh").read_text()
    assert f"{debian}/{BOLD}.ttf" in prerequisites
    assert all(f"[ -f {path} ]" in prerequisites for _, path in FALLBACKS)


def test_ci_script_is_valid_bash_and_runs_make_test() -> None:
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK)
    assert run(["bash", "-n", str(script)]).returncode == 0
    text = script.read_text()
    assert "set -euo pipefail" in text
    assert text.rstrip().splitlines()[-1] == "exec make test"
