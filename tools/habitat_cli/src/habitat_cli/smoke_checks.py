"""The smoke test's checks against a running Habitat site, as an anonymous visitor would see it.

Each check returns a Result and never raises for what the site answers: a refused connection, a bad status
or a missing header is a failed check with a sentence saying what was seen.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

HSTS_MIN_SECONDS = 31_536_000  # what the Caddyfile sends: one year
REDIRECTS = (301, 302, 303, 307, 308)
UNSAFE_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:")


@dataclass
class Result:
    name: str
    passed: bool
    detail: str
    seconds: float = 0.0


class CheckFailed(Exception):
    """What a check saw that it did not expect; becomes the failed Result's detail."""


@dataclass
class Options:
    url: str
    ca_cert: str | None = None
    http_port: int = 80
    min_cert_days: float = 14.0
    latency_requests: int = 20
    p95_limit_ms: float = 500.0
    timeout: float = 10.0


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the text inside <script> elements."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.inline_scripts: list[str] = []
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data.strip())

    def named(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]


class Site:
    """One Habitat site over HTTP(S); TLS trusts --ca-cert when given, else the system's CAs."""

    def __init__(self, options: Options) -> None:
        self.options = options
        parts = urlsplit(options.url)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.https else 80)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.tls = ssl.create_default_context(cafile=options.ca_cert)
        self.http = httpx.Client(
            base_url=self.origin, verify=self.tls, timeout=options.timeout, follow_redirects=False,
            headers={"User-Agent": "habitat-smoke/1"},
        )

    def get(self, path: str, *, follow: bool = False) -> httpx.Response:
        return self.http.get(path, follow_redirects=follow)

    def same_origin(self, reference: str, page: str) -> bool:
        resolved = urlsplit(urljoin(page, reference))
        return f"{resolved.scheme}://{resolved.netloc}" == self.origin

    @cached_property
    def peer_certificate(self) -> tuple[str, dict]:
        """(TLS version, the verified certificate) from a handshake with the site's host and port."""
        with (
            socket.create_connection((self.host, self.port), timeout=self.options.timeout) as raw,
            self.tls.wrap_socket(raw, server_hostname=self.host) as tls,
        ):
            return tls.version() or "?", tls.getpeercert() or {}

    def certificate_expires_at(self) -> float | None:
        """The verified certificate's notAfter (epoch seconds); None when no handshake verifies."""
        try:
            return float(ssl.cert_time_to_seconds(self.peer_certificate[1]["notAfter"]))
        except (OSError, KeyError, ValueError):
            return None

    def close(self) -> None:
        self.http.close()


def expect_status(response: httpx.Response, *statuses: int) -> None:
    if response.status_code not in statuses:
        wanted = " or ".join(map(str, statuses))
        raise CheckFailed(f"{response.request.url.path} answered {response.status_code}, expected {wanted}")


def expect_html(response: httpx.Response) -> str:
    kind = response.headers.get("content-type", "")
    if not kind.startswith("text/html"):
        raise CheckFailed(f"{response.request.url.path} is {kind or 'untyped'}, not an HTML page")
    return response.text


def expect_json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CheckFailed(f"{response.request.url.path} is not JSON ({error})") from None
    if not isinstance(body, dict):
        raise CheckFailed(f"{response.request.url.path} is JSON but not an object")
    return body


# ---- the checks -----------------------------------------------------------------------


def home_page(site: Site) -> str:
    response = site.get("/", follow=True)
    expect_status(response, 200)
    expect_html(response)
    return f"200 HTML at {response.url.path}"


def sign_in_page(site: Site) -> str:
    response = site.get("/login")
    expect_status(response, 200)
    tags = Tags(expect_html(response))
    if not tags.named("form") or not any(a.get("type") == "password" for a in tags.named("input")):
        raise CheckFailed("/login has no form with a password field")
    return "200 HTML with a sign-in form"


def dashboard_refuses_anonymous(site: Site) -> str:
    page = site.get("/dashboard")
    if page.status_code not in REDIRECTS or urlsplit(page.headers.get("location", "")).path != "/login":
        raise CheckFailed(f"/dashboard answered {page.status_code} {page.headers.get('location', '')}, "
                          "expected a redirect to /login")
    api = site.get("/api/v1/me/dashboard")
    expect_status(api, 401)
    code = expect_json(api).get("error", {}).get("code")
    return f"/dashboard → {page.status_code} /login; /api/v1/me/dashboard → 401 {code}"


def health(site: Site) -> str:
    alive = site.get("/healthz")
    expect_status(alive, 200)
    if expect_json(alive).get("status") != "alive":
        raise CheckFailed(f"/healthz says {alive.text[:100]}")
    ready = site.get("/readyz")
    body = expect_json(ready)
    if ready.status_code != 200 or body.get("status") != "ready":
        raise CheckFailed(f"/readyz answered {ready.status_code} {json.dumps(body)[:200]}")
    return f"/healthz alive; /readyz ready ({', '.join(body.get('checks', {}))})"


def openapi_document(site: Site) -> str:
    response = site.get("/api/v1/openapi.json")
    expect_status(response, 200)
    document = expect_json(response)
    version, paths = str(document.get("openapi", "")), document.get("paths") or {}
    if not version.startswith("3.") or not paths:
        raise CheckFailed(f"/api/v1/openapi.json is not an OpenAPI 3 document with paths (openapi={version!r})")
    return f"OpenAPI {version}, {len(paths)} paths"


def docs_page(site: Site) -> str:
    response = site.get("/api/v1/docs")
    expect_status(response, 200)
    page = str(response.url)
    tags = Tags(expect_html(response))
    scripts = [a.get("src", "") for a in tags.named("script")]
    styles = [a.get("href", "") for a in tags.named("link") if "stylesheet" in a.get("rel", "").split()]
    if tags.inline_scripts or "" in scripts:
        raise CheckFailed("/api/v1/docs has an inline script (refused by script-src 'self')")
    if not scripts:
        raise CheckFailed("/api/v1/docs loads no script: not the Swagger UI page")
    foreign = [ref for ref in scripts + styles if not site.same_origin(ref, page)]
    if foreign:
        raise CheckFailed(f"/api/v1/docs loads from another origin: {', '.join(foreign)}")
    for ref in scripts + styles:
        asset = site.get(urljoin(page, ref))
        if asset.status_code != 200 or not asset.content:
            raise CheckFailed(f"{ref} answered {asset.status_code}")
    return f"{len(scripts)} scripts and {len(styles)} stylesheet(s), all same-origin and served"


def https_works(site: Site) -> str:
    version, certificate = site.peer_certificate
    names = [value for kind, value in certificate.get("subjectAltName", ()) if kind in ("DNS", "IP Address")]
    return f"{version}, certificate verified for {site.host} ({', '.join(names)})"


def http_redirects(site: Site) -> str:
    port = site.options.http_port
    url = f"http://{site.host}{'' if port == 80 else f':{port}'}/login?smoke=1"
    response = site.http.get(url)
    location = urlsplit(response.headers.get("location", ""))
    target = f"{location.scheme}://{location.netloc}"
    if response.status_code not in REDIRECTS or target != site.origin or location.path != "/login":
        raise CheckFailed(f"{url} answered {response.status_code} {response.headers.get('location', '')}, "
                          f"expected a redirect to {site.origin}/login")
    return f"{url} → {response.status_code} {response.headers['location']}"


def certificate_lifetime(site: Site) -> str:
    _, certificate = site.peer_certificate
    expires = dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(certificate["notAfter"]), dt.UTC)
    days = (expires - dt.datetime.now(dt.UTC)).total_seconds() / 86400
    issuer = dict(item for part in certificate.get("issuer", ()) for item in part).get("commonName", "?")
    detail = f"expires {expires:%Y-%m-%d %H:%M} UTC, in {days:.1f} days (issuer {issuer})"
    if days < site.options.min_cert_days:
        raise CheckFailed(f"{detail}; at least {site.options.min_cert_days:g} days expected")
    return detail


def security_headers(site: Site) -> str:
    headers = site.get("/login").headers
    problems = []
    if headers.get("x-content-type-options", "").lower() != "nosniff":
        problems.append("X-Content-Type-Options is not nosniff")
    policy = {
        directive.split()[0].lower(): directive.split()[1:]
        for directive in headers.get("content-security-policy", "").split(";") if directive.strip()
    }
    scripts = policy.get("script-src", policy.get("default-src"))
    if scripts is None:
        problems.append("no Content-Security-Policy with script-src or default-src")
    elif unsafe := [s for s in scripts if s in UNSAFE_SOURCES]:
        problems.append(f"Content-Security-Policy allows scripts from {' '.join(unsafe)}")
    framing = headers.get("x-frame-options", "").upper() in ("DENY", "SAMEORIGIN")
    if policy.get("frame-ancestors") not in (["'none'"], ["'self'"]) and not framing:
        problems.append("framing allowed (no frame-ancestors 'none'/'self' nor X-Frame-Options)")
    if headers.get("referrer-policy", "").lower() in ("", "unsafe-url", "no-referrer-when-downgrade"):
        problems.append(f"Referrer-Policy is {headers.get('referrer-policy') or 'missing'}")
    if "server" in headers:
        problems.append(f"Server header reveals {headers['server']!r}")
    if site.https:
        hsts = dict(
            (part.strip().split("=", 1) + [""])[:2] for part in headers.get("strict-transport-security", "").split(";")
        )
        max_age = hsts.get("max-age", "")
        if not max_age.isdigit() or int(max_age) < HSTS_MIN_SECONDS:
            problems.append(f"Strict-Transport-Security max-age below {HSTS_MIN_SECONDS} ({max_age or 'missing'})")
    if problems:
        raise CheckFailed("; ".join(problems))
    return "CSP, frame-ancestors, nosniff, Referrer-Policy" + (", HSTS" if site.https else "") + "; no Server"


def latency(site: Site) -> str:
    samples = []
    for _ in range(site.options.latency_requests):
        started = time.perf_counter()
        response = site.get("/login")
        samples.append((time.perf_counter() - started) * 1000)
        expect_status(response, 200)
    p95 = statistics.quantiles(samples, n=100, method="inclusive")[94] if len(samples) > 1 else samples[0]
    detail = f"p95 {p95:.0f} ms over {len(samples)} requests to /login (max {max(samples):.0f} ms)"
    if p95 >= site.options.p95_limit_ms:
        raise CheckFailed(f"{detail}; limit {site.options.p95_limit_ms:g} ms")
    return detail


@dataclass
class Check:
    name: str
    run: Callable[[Site], str]
    https_only: bool = False


CHECKS = (
    Check("home page", home_page),
    Check("sign-in page", sign_in_page),
    Check("dashboard refuses anonymous", dashboard_refuses_anonymous),
    Check("health", health),
    Check("OpenAPI document", openapi_document),
    Check("API docs page", docs_page),
    Check("HTTPS", https_works, https_only=True),
    Check("HTTP redirects to HTTPS", http_redirects, https_only=True),
    Check("certificate lifetime", certificate_lifetime, https_only=True),
    Check("security headers", security_headers),
    Check("latency", latency),
)


@dataclass
class Report:
    url: str
    results: list[Result] = field(default_factory=list)
    certificate_expires_at: float | None = None  # https only, when the certificate verified

    @property
    def failed(self) -> int:
        return sum(not r.passed for r in self.results)

    @property
    def passed(self) -> int:
        return len(self.results) - self.failed


def run_checks(options: Options, on_result: Callable[[Result], None] = lambda _: None) -> Report:
    """Run every check that applies to the URL's scheme; once the site is unreachable the rest are not tried."""
    site = Site(options)
    report = Report(options.url)
    unreachable: str | None = None
    try:
        for check in CHECKS:
            if check.https_only and not site.https:
                continue
            started = time.perf_counter()
            if unreachable:
                result = Result(check.name, False, f"not run: {unreachable}")
            else:
                try:
                    result = Result(check.name, True, check.run(site))
                except CheckFailed as failure:
                    result = Result(check.name, False, str(failure))
                except (httpx.TransportError, OSError) as error:
                    reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
                    result = Result(check.name, False, f"cannot reach {options.url}: {reason}")
                    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout) and not report.results:
                        unreachable = "the site is unreachable"
            result.seconds = time.perf_counter() - started
            report.results.append(result)
            on_result(result)
        if site.https and not unreachable:
            report.certificate_expires_at = site.certificate_expires_at()
    finally:
        site.close()
    return report
