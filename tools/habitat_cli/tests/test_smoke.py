"""`habitat smoke` against a stub site on loopback: a site that answers like Habitat passes, and each way of
answering wrongly fails the check that looks at it (exit 1, the check named, the summary line)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from habitat_cli.app import app
from typer.testing import CliRunner

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
       "base-uri 'self'; form-action 'self'")
HEADERS = {
    "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
LOGIN = '<html><body><form method="post"><input name="email"><input name="password" type="password"></form></body></html>'
DOCS = ('<html><head><link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css"></head><body><div id="swagger-ui">'
        '</div><script src="/static/swagger-ui/swagger-ui-bundle.js"></script><script src="/static/init.js"></script>'
        '</body></html>')
HTTP_CHECKS = ("home page", "sign-in page", "dashboard refuses anonymous", "health", "OpenAPI document",
               "API docs page", "security headers", "latency")

# path -> (status, content type, body, extra headers)
Route = tuple[int, str, str, dict[str, str]]


def habitat_like() -> dict[str, Route]:
    return {
        "/": (303, "text/plain", "", {"Location": "/dashboard"}),
        "/dashboard": (303, "text/plain", "", {"Location": "/login"}),
        "/login": (200, "text/html; charset=utf-8", LOGIN, {}),
        "/api/v1/me/dashboard": (401, "application/json", '{"error": {"code": "unauthorized", "message": "no"}}', {}),
        "/healthz": (200, "application/json", '{"status": "alive"}', {}),
        "/readyz": (200, "application/json", '{"status": "ready", "checks": {"services": true}}', {}),
        "/api/v1/openapi.json": (200, "application/json", '{"openapi": "3.1.0", "paths": {"/api/v1/me": {}}}', {}),
        "/api/v1/docs": (200, "text/html", DOCS, {}),
        "/static/swagger-ui/swagger-ui.css": (200, "text/css", "body{}", {}),
        "/static/swagger-ui/swagger-ui-bundle.js": (200, "text/javascript", "var SwaggerUIBundle;", {}),
        "/static/init.js": (200, "text/javascript", "SwaggerUIBundle;", {}),
    }


@contextmanager
def stub_site(routes: dict[str, Route], headers: dict[str, str] = HEADERS, delay: float = 0.0) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(delay)
            status, kind, body, extra = routes.get(self.path.split("?")[0], (404, "text/plain", "not found", {}))
            data = body.encode()
            self.send_response(status)
            for name, value in {"Content-Type": kind, "Content-Length": str(len(data)), **headers, **extra}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    Handler.server_version, Handler.sys_version = "", ""  # BaseHTTPRequestHandler's Server header, left out below
    Handler.send_response = lambda self, code, message=None: (self.log_request(code), self.send_response_only(code, message))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def smoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["smoke", *args], env={"NO_COLOR": "1", "SSL_CERT_FILE": None})
    return result.exit_code, result.output


def smoke_json(url: str, *args: str) -> tuple[int, dict[str, dict]]:
    code, output = smoke(url, "--json", *args)
    report = json.loads(output)
    return code, {check["name"]: check for check in report["checks"]}


def failing(checks: dict[str, dict]) -> dict[str, str]:
    return {name: check["detail"] for name, check in checks.items() if not check["passed"]}


def changed(change: Callable[[dict[str, Route]], None]) -> dict[str, Route]:
    routes = habitat_like()
    change(routes)
    return routes


def test_a_site_that_answers_like_habitat_passes_every_http_check() -> None:
    with stub_site(habitat_like()) as url:
        code, output = smoke(url)
    assert code == 0, output
    lines = output.strip().splitlines()
    assert [line.split(" — ")[0] for line in lines[:-1]] == [f"PASS  {name}" for name in HTTP_CHECKS]
    assert lines[-1] == "8 passed, 0 failed"
    assert "\x1b[" not in output  # not a terminal: no colour


def test_missing_security_headers_fail_that_check_only() -> None:
    with stub_site(habitat_like(), headers={"Content-Security-Policy": CSP.replace("'self'; style", "'self' 'unsafe-inline'; style")}) as url:
        code, output = smoke(url)
    assert code == 1
    assert "FAIL  security headers — X-Content-Type-Options is not nosniff; Content-Security-Policy allows scripts " \
           "from 'unsafe-inline'; Referrer-Policy is missing" in output
    assert output.strip().splitlines()[-1] == "7 passed, 1 failed"


def test_framing_allowed_fails_the_headers_check() -> None:
    headers = {**HEADERS, "Content-Security-Policy": "default-src 'self'"}
    headers.pop("X-Frame-Options")
    with stub_site(habitat_like(), headers=headers) as url:
        code, checks = smoke_json(url)
    assert code == 1
    assert failing(checks) == {"security headers": "framing allowed (no frame-ancestors 'none'/'self' nor X-Frame-Options)"}


def test_readiness_503_fails_the_health_check() -> None:
    routes = changed(lambda r: r.update({"/readyz": (503, "application/json", '{"status": "not_ready", "checks": {"services": false}}', {})}))
    with stub_site(routes) as url:
        code, checks = smoke_json(url)
    assert code == 1
    assert failing(checks) == {"health": '/readyz answered 503 {"status": "not_ready", "checks": {"services": false}}'}


def test_health_500_fails_the_health_check() -> None:
    routes = changed(lambda r: r.update({"/healthz": (500, "text/plain", "boom", {})}))
    with stub_site(routes) as url:
        code, checks = smoke_json(url)
    assert (code, failing(checks)) == (1, {"health": "/healthz answered 500, expected 200"})


def test_a_docs_page_loading_a_cdn_script_fails() -> None:
    cdn = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"
    routes = changed(lambda r: r.update({"/api/v1/docs": (200, "text/html", DOCS.replace("/static/swagger-ui/swagger-ui-bundle.js", cdn), {})}))
    with stub_site(routes) as url:
        code, checks = smoke_json(url)
    assert (code, failing(checks)) == (1, {"API docs page": f"/api/v1/docs loads from another origin: {cdn}"})


def test_a_docs_page_with_an_inline_script_or_a_missing_asset_fails() -> None:
    inline = changed(lambda r: r.update({"/api/v1/docs": (200, "text/html", DOCS + "<script>SwaggerUIBundle({})</script>", {})}))
    with stub_site(inline) as url:
        assert failing(smoke_json(url)[1]) == {"API docs page": "/api/v1/docs has an inline script (refused by script-src 'self')"}
    missing = changed(lambda r: r.pop("/static/init.js"))
    with stub_site(missing) as url:
        assert failing(smoke_json(url)[1]) == {"API docs page": "/static/init.js answered 404"}


def test_a_dashboard_open_to_anonymous_visitors_fails() -> None:
    routes = changed(lambda r: r.update({"/dashboard": (200, "text/html", "<p>capital</p>", {}),
                                         "/api/v1/me/dashboard": (200, "application/json", "{}", {})}))
    with stub_site(routes) as url:
        code, checks = smoke_json(url)
    assert code == 1
    assert failing(checks) == {"dashboard refuses anonymous": "/dashboard answered 200 , expected a redirect to /login"}


def test_a_slow_site_fails_the_latency_check() -> None:
    with stub_site(habitat_like(), delay=0.06) as url:
        code, checks = smoke_json(url, "--p95-ms", "50", "--requests", "5")
    assert code == 1
    assert list(failing(checks)) == ["latency"]
    assert failing(checks)["latency"].endswith("limit 50 ms")


def test_an_unreachable_site_fails_every_check_at_once() -> None:
    with stub_site({}) as url:
        pass  # closed: nothing listens on its port any more
    started = time.monotonic()
    code, output = smoke(url)
    assert code == 1 and time.monotonic() - started < 5
    assert f"FAIL  home page — cannot reach {url}: ConnectError" in output
    assert "FAIL  latency — not run: the site is unreachable" in output
    assert output.strip().splitlines()[-1] == "0 passed, 8 failed"


@pytest.mark.parametrize(("args", "message"), [
    (["habitat.example.coop"], "'habitat.example.coop' is not a site address"),
    (["ftp://habitat.example.coop"], "'ftp://habitat.example.coop' is not a site address"),
    (["https://habitat.example.coop/login"], "has a path: give the site's address alone, e.g. https://habitat.example.coop"),
    (["https://habitat.example.coop", "--ca-cert", "/nonexistent/root.crt"], "--ca-cert /nonexistent/root.crt: no such file"),
])
def test_bad_input_is_refused_with_a_sentence_and_exit_2(args: list[str], message: str) -> None:
    code, output = smoke(*args)
    assert code == 2
    assert message in output


def test_a_ca_file_that_is_not_a_certificate_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "root.crt"
    bogus.write_text("not a certificate\n")
    code, output = smoke("https://habitat.example.coop", "--ca-cert", str(bogus))
    assert code == 2
    assert f"--ca-cert {bogus} is not a PEM certificate" in output


def samples_of(text: str) -> dict[str, list]:
    from prometheus_client.parser import text_string_to_metric_families

    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def test_the_metrics_file_counts_the_failed_checks_for_the_node_exporter(tmp_path: Path) -> None:
    metrics = tmp_path / "textfile" / "habitat_smoke.prom"
    started = time.time()
    with stub_site(habitat_like()) as url:
        assert smoke(url, "--metrics-file", str(metrics))[0] == 0
    families = samples_of(metrics.read_text())
    assert families["habitat_smoke_checks_failed"][0].value == 0
    assert started <= families["habitat_smoke_last_run_timestamp_seconds"][0].value <= time.time()
    assert "habitat_tls_certificate_expiry_timestamp_seconds" not in families  # plain HTTP: no certificate
    with stub_site(changed(lambda routes: routes.pop("/readyz"))) as url:
        code, checks = smoke_json(url, "--metrics-file", str(metrics))
    assert code == 1
    assert samples_of(metrics.read_text())["habitat_smoke_checks_failed"][0].value == len(failing(checks)) >= 1
    assert [p.name for p in metrics.parent.iterdir()] == ["habitat_smoke.prom"]  # written whole, then renamed


def test_the_certificates_expiry_is_written_per_host() -> None:
    from habitat_cli.smoke_checks import Report, Result
    from habitat_cli.smoke_metrics import metrics_text

    report = Report("https://habitat.example.coop:8443", [Result("HTTPS", True, "ok"), Result("latency", False, "slow")],
                    certificate_expires_at=1_900_000_000.0)
    families = samples_of(metrics_text(report, now=1_800_000_000.0))
    [expiry] = families["habitat_tls_certificate_expiry_timestamp_seconds"]
    assert (expiry.labels, expiry.value) == ({"host": "habitat.example.coop"}, 1_900_000_000.0)
    assert families["habitat_smoke_checks_failed"][0].value == 1
    assert families["habitat_smoke_last_run_timestamp_seconds"][0].value == 1_800_000_000.0


def test_an_unwritable_metrics_file_is_a_sentence_and_exit_1(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with stub_site(habitat_like()) as url:
        code, output = smoke(url, "--metrics-file", str(blocker / "habitat_smoke.prom"))
    assert code == 1 and "--metrics-file" in output
