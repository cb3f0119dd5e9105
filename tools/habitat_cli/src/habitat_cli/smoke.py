"""`habitat smoke URL`: is a deployed Habitat up, safe and fast enough? One line per check, exit 1 on any failure."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.text import Text

from habitat_cli.output import JsonFlag, fail, out, print_json
from habitat_cli.smoke_checks import Options, Report, Result, run_checks
from habitat_cli.smoke_metrics import write_metrics

USAGE_ERROR = 2


def checked_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        fail(f"{url!r} is not a site address: give http://HOST[:PORT] or https://HOST[:PORT]", USAGE_ERROR)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        fail(f"{url!r} has a path: give the site's address alone, e.g. {parts.scheme}://{parts.netloc}", USAGE_ERROR)
    return f"{parts.scheme}://{parts.netloc}"


def checked_ca(ca_cert: Path | None) -> str | None:
    if ca_cert is None:
        return None
    if not ca_cert.is_file():
        fail(f"--ca-cert {ca_cert}: no such file", USAGE_ERROR)
    try:
        ssl.create_default_context(cafile=str(ca_cert))
    except ssl.SSLError as error:
        fail(f"--ca-cert {ca_cert} is not a PEM certificate ({error.reason or error})", USAGE_ERROR)
    return str(ca_cert)


def show(result: Result) -> None:
    mark = Text("PASS", style="bold green") if result.passed else Text("FAIL", style="bold red")
    out().print(Text.assemble(mark, "  ", (result.name, "bold"), f" — {result.detail}"))


def show_summary(report: Report) -> None:
    style = "bold red" if report.failed else "bold green"
    out().print(Text(f"{report.passed} passed, {report.failed} failed", style=style))


def smoke(
    url: Annotated[str, typer.Argument(help="The site's address, e.g. https://habitat.example.coop")],
    ca_cert: Annotated[Path | None, typer.Option(
        "--ca-cert", envvar="SSL_CERT_FILE", help="Trust this CA (PEM) for HTTPS, e.g. Caddy's local root.crt.",
    )] = None,
    http_port: Annotated[int, typer.Option(help="Port of the plain-HTTP listener that must redirect to HTTPS.")] = 80,
    min_cert_days: Annotated[float, typer.Option(help="Days the certificate must still be valid for.")] = 14.0,
    requests: Annotated[int, typer.Option(min=2, help="Requests timed for the latency check.")] = 20,
    p95_ms: Annotated[float, typer.Option(help="Largest acceptable 95th-percentile response time.")] = 500.0,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for any one answer.")] = 10.0,
    metrics_file: Annotated[Path | None, typer.Option(
        "--metrics-file", help="Also write the outcome and the certificate's expiry here, for Prometheus's node "
        "exporter (e.g. $HABITAT_TEXTFILE_DIR/habitat_smoke.prom).",
    )] = None,
    as_json: JsonFlag = False,
) -> None:
    """Smoke-test a running site as an anonymous visitor: pages, health, API docs, HTTPS, headers, latency."""
    options = Options(
        url=checked_url(url), ca_cert=checked_ca(ca_cert), http_port=http_port, min_cert_days=min_cert_days,
        latency_requests=requests, p95_limit_ms=p95_ms, timeout=timeout,
    )
    report = run_checks(options, on_result=(lambda _: None) if as_json else show)
    if metrics_file is not None:
        try:
            write_metrics(metrics_file, report)
        except OSError as error:
            fail(f"--metrics-file {metrics_file}: {error.strerror or error}", 1)
    if as_json:
        print_json({
            "url": report.url, "passed": report.passed, "failed": report.failed,
            "checks": [{"name": r.name, "passed": r.passed, "detail": r.detail, "seconds": round(r.seconds, 3)}
                       for r in report.results],
        })
    else:
        show_summary(report)
    if report.failed:
        raise typer.Exit(1)
