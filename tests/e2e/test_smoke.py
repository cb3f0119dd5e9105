"""The smoke test (deploy/smoke-test.sh, `habitat smoke`) against the real stack: over plain HTTP behind the dev
Caddy, and over HTTPS behind a second Caddy with its internal CA on loopback ports (the same Caddyfile as in
production, with a free port for the HTTP→HTTPS redirect); and the API docs page rendering under the site's CSP."""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from habitat_common.ports import free_port
from habitat_devstack.stack import ROOT

pytestmark = pytest.mark.e2e

SMOKE = ROOT / "deploy" / "smoke-test.sh"
HTTP_CHECKS = ["home page", "sign-in page", "dashboard refuses anonymous", "health", "OpenAPI document",
               "API docs page", "security headers", "latency"]
HTTPS_CHECKS = HTTP_CHECKS[:6] + ["HTTPS", "HTTP redirects to HTTPS", "certificate lifetime"] + HTTP_CHECKS[6:]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HABITAT_", "SSL_CERT"))}
    return env | {"NO_COLOR": "1"} | extra


def smoke(*args: str, wrapper: bool = False) -> subprocess.CompletedProcess[str]:
    command = [str(SMOKE)] if wrapper else [sys.executable, "-m", "habitat_cli", "smoke"]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=clean_env(), timeout=120, check=False)


def checks(result: subprocess.CompletedProcess[str]) -> dict[str, dict]:
    return {check["name"]: check for check in json.loads(result.stdout)["checks"]}


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=30)


def make_ca(folder: Path) -> tuple[Path, Path]:
    """A root valid 10 years and an intermediate valid 1 year, as an operator's own private CA would be."""
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    openssl("req", "-x509", *ec, "-keyout", str(folder / "root.key"), "-out", str(folder / "root.crt"), "-days", "3650",
            "-subj", "/CN=Habitat Smoke Test Root", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", *ec, "-keyout", str(folder / "intermediate.key"), "-out", str(folder / "intermediate.csr"),
            "-subj", "/CN=Habitat Smoke Test Intermediate")
    (folder / "ext").write_text("basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n")
    openssl("x509", "-req", "-in", str(folder / "intermediate.csr"), "-CA", str(folder / "root.crt"),
            "-CAkey", str(folder / "root.key"), "-CAcreateserial", "-out", str(folder / "intermediate.crt"),
            "-days", "365", "-extfile", str(folder / "ext"))
    return folder / "root.crt", folder / "intermediate.crt"


@dataclass
class HttpsSite:
    url: str
    http_port: int
    root_cert: Path


@contextmanager
def https_caddy(gateway: str, folder: Path, own_ca: bool) -> Iterator[HttpsSite]:
    """Our Caddyfile for https://localhost:PORT (Caddy's internal CA issues localhost's certificate), adapted to
    JSON only to move the HTTP→HTTPS redirect listener to a free port and keep the CA out of the system store.

    own_ca: the local CA signs with a root and intermediate made here, and issues 30-day certificates; otherwise
    Caddy makes its own CA in its data dir and issues its default 12-hour certificates."""
    caddy = shutil.which("caddy") or pytest.skip("caddy is not installed")
    https_port, http_port = free_port(), free_port()
    data = folder / "data"
    env = clean_env(
        HABITAT_SITE_ADDRESS=f"https://localhost:{https_port}", HABITAT_GATEWAY_UPSTREAM=gateway,
        HABITAT_CADDY_ADMIN="off", XDG_DATA_HOME=str(data), XDG_CONFIG_HOME=str(folder / "config"),
    )
    adapted = subprocess.run([caddy, "adapt", "--config", str(ROOT / "Caddyfile"), "--adapter", "caddyfile"],
                             env=env, capture_output=True, text=True, check=True, timeout=30)
    config = json.loads(adapted.stdout)
    config["apps"]["http"]["http_port"] = http_port
    local_ca: dict = {"install_trust": False}
    root = data / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    if own_ca:
        root, intermediate = make_ca(folder)
        local_ca |= {
            "root": {"certificate": str(root), "private_key": str(folder / "root.key"), "format": "pem_file"},
            "intermediate": {"certificate": str(intermediate), "private_key": str(folder / "intermediate.key"),
                             "format": "pem_file"},
        }
        config["apps"]["tls"] = {"automation": {"policies": [
            {"subjects": ["localhost"], "issuers": [{"module": "internal", "lifetime": "720h"}]}
        ]}}
    config["apps"]["pki"] = {"certificate_authorities": {"local": local_ca}}
    (folder / "caddy.json").write_text(json.dumps(config))
    log = open(folder / "caddy.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen([caddy, "run", "--config", str(folder / "caddy.json")], env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    site = HttpsSite(f"https://localhost:{https_port}", http_port, root)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if root.exists() and httpx.get(site.url + "/healthz", verify=ssl.create_default_context(cafile=root), timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"caddy did not serve HTTPS: {(folder / 'caddy.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield site
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def gateway_of(habitat) -> str:
    return f"127.0.0.1:{habitat.config.ports['gateway']}"


def test_the_wrapper_passes_every_http_check_against_the_stack(habitat) -> None:
    result = smoke(habitat.url, wrapper=True)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split(" — ")[0] for line in lines[:-1]] == [f"PASS  {name}" for name in HTTP_CHECKS]
    assert lines[-1] == f"{len(HTTP_CHECKS)} passed, 0 failed"


def test_https_with_the_local_ca_passes_every_check(habitat, tmp_path: Path) -> None:
    with https_caddy(gateway_of(habitat), tmp_path, own_ca=True) as site:
        result = smoke(site.url, "--ca-cert", str(site.root_cert), "--http-port", str(site.http_port), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    seen = checks(result)
    assert list(seen) == HTTPS_CHECKS and all(check["passed"] for check in seen.values()), seen
    assert seen["HTTP redirects to HTTPS"]["detail"].endswith(f"→ 308 {site.url}/login?smoke=1")
    assert "in 30.0 days" in seen["certificate lifetime"]["detail"] or "in 29.9 days" in seen["certificate lifetime"]["detail"]
    assert seen["security headers"]["detail"].endswith("HSTS; no Server")


def test_caddys_own_ca_is_trusted_from_its_data_dir_and_its_12_hour_certificates_fail_the_lifetime_check(
    habitat, tmp_path: Path
) -> None:
    with https_caddy(gateway_of(habitat), tmp_path, own_ca=False) as site:
        assert site.root_cert == tmp_path / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        result = smoke(site.url, "--ca-cert", str(site.root_cert), "--http-port", str(site.http_port), "--json")
        untrusted = smoke(site.url, "--http-port", str(site.http_port))
    assert result.returncode == 1, result.stdout + result.stderr
    failed = {name: check["detail"] for name, check in checks(result).items() if not check["passed"]}
    assert list(failed) == ["certificate lifetime"], failed
    assert "in 0.5 days" in failed["certificate lifetime"] and failed["certificate lifetime"].endswith(
        "at least 14 days expected")
    # without the CA, nothing is trusted: the first check says why and the rest are not tried
    assert untrusted.returncode == 1
    assert "FAIL  home page — cannot reach" in untrusted.stdout and "CERTIFICATE_VERIFY_FAILED" in untrusted.stdout
    assert untrusted.stdout.strip().splitlines()[-1] == f"0 passed, {len(HTTPS_CHECKS)} failed"


def test_the_docs_page_renders_under_the_sites_csp_with_nothing_refused(habitat, browser) -> None:
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        response = page.goto(habitat.url + "/api/v1/docs")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
        assert "Habitat API" in page.inner_text(".swagger-ui .info .title")
        page.wait_for_selector(".opblock", timeout=20_000)  # the operations are listed
        assert page.locator(".opblock").count() > 20
    finally:
        page.close()
    assert problems == [], problems  # e.g. "Refused to execute inline script ... Content Security Policy"
    assert all(url.startswith((habitat.url, "data:")) for url in requested), requested
