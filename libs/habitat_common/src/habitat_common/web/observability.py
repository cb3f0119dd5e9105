"""HTTP middleware (correlation id, latency histograms, requests in flight) and the health/readiness/metrics routes.

A route marked @long_running (imports, exports, period close, allocation propose/post) is timed in
habitat_http_long_request_duration_seconds and kept out of the API latency SLO histogram."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.semconv.attributes.http_attributes import HTTP_ROUTE
from opentelemetry.trace import TracerProvider
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from habitat_common.metrics import HTTP_IN_FLIGHT, HTTP_LATENCY, HTTP_LONG_LATENCY
from habitat_common.telemetry import correlation
from habitat_common.web.route_templates import route_template

Check = Callable[[], Awaitable[bool]]
CORRELATION_HEADER = "X-Correlation-ID"
PROBE_PATHS = frozenset({"/healthz", "/health", "/readyz", "/metrics"})
LONG_RUNNING_MARK = "__habitat_long_running__"
Endpoint = TypeVar("Endpoint", bound=Callable)


def long_running(endpoint: Endpoint) -> Endpoint:
    """Mark a route's endpoint as long-running (put it under the route decorator): its requests are timed in the
    long-request histogram with buckets up to 10 minutes, not in the API latency SLO histogram."""
    setattr(endpoint, LONG_RUNNING_MARK, True)
    return endpoint


def is_long_running(route: object) -> bool:
    """True when the matched route's endpoint was marked with @long_running."""
    return getattr(getattr(route, "endpoint", None), LONG_RUNNING_MARK, False)


class ObservabilityMiddleware:
    """Binds the correlation id, echoes it, and times each request by route template.

    A plain ASGI middleware: Starlette's BaseHTTPMiddleware costs a task and two streams per request.
    """

    def __init__(self, app, service: str) -> None:
        self.app = app
        self.service = service
        self.in_flight = HTTP_IN_FLIGHT.labels(service)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-correlation-id"), None)
        status, started_response = 500, False
        # probes and scrapes are not traffic: counted, a scrape would always see itself in flight, and a
        # stopped database would count as the API's 5xx
        counted = scope["path"] not in PROBE_PATHS
        if counted:
            self.in_flight.inc()
        with correlation(incoming) as correlation_id:

            async def send_with_id(message) -> None:
                nonlocal status, started_response
                if message["type"] == "http.response.start":
                    status, started_response = message["status"], True
                    # now, not after the response: the tracing middleware ends its span with the last body part
                    name_server_span(scope)
                    message["headers"] = [*message.get("headers", []), (b"x-correlation-id", correlation_id.encode())]
                await send(message)

            try:
                await self.app(scope, receive, send_with_id)
            finally:
                if not started_response:  # an exception on its way to the 500 handler
                    name_server_span(scope)
                if counted:  # a probe is not an API request: its 503s while a dependency is down are /readyz's
                    self.in_flight.dec()  # answer, not errors of the API's objective
                    route = scope.get("route")
                    histogram = HTTP_LONG_LATENCY if is_long_running(route) else HTTP_LATENCY
                    path = route_template(scope) or "unmatched"
                    elapsed = time.perf_counter() - started
                    histogram.labels(self.service, scope["method"], path, str(status)).observe(elapsed)


def span_named_by_method(scope) -> tuple[str, dict[str, str]]:
    """The server span's name when it starts: the method alone, as OpenTelemetry names a span whose route is not
    known yet. ObservabilityMiddleware names it after the route once the router has matched one."""
    return scope.get("method") or "HTTP", {}


def name_server_span(scope) -> None:
    """Name the current (server) span after the route the router matched, "GET /api/v1/me", and set
    http.route, as FastAPI's instrumentor did before routing by walking every route once more per request."""
    span = trace.get_current_span()
    if not span.is_recording():
        return
    route_path = route_template(scope)
    if route_path is not None:
        span.update_name(f"{scope['method']} {route_path}")
        span.set_attribute(HTTP_ROUTE, route_path)


def install_observability(
    app: FastAPI, service: str, checks: dict[str, Check], tracer_provider: TracerProvider | None = None
) -> None:
    """Correlation ids, latency and in-flight metrics, tracing (the process's tracer provider unless one is
    given), and /healthz, /readyz, /metrics."""
    app.add_middleware(ObservabilityMiddleware, service=service)
    HTTP_IN_FLIGHT.labels(service)
    app.include_router(health_router(checks))
    # The ASGI middleware itself rather than FastAPIInstrumentor, whose span name walked every route of the app
    # per request (7 % of the CPU of a request passing through the gateway); added last, it is outside
    # ObservabilityMiddleware, which names its span once routed. One server span per request is the trace we
    # need: per-message send/receive spans cost ~a fifth of a request.
    app.add_middleware(
        OpenTelemetryMiddleware,
        excluded_urls="healthz,health,readyz,metrics",
        default_span_details=span_named_by_method,
        exclude_spans=["receive", "send"],
        tracer_provider=tracer_provider,
    )


def health_router(checks: dict[str, Check]) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    @router.get("/health")
    async def healthz() -> dict:
        return {"status": "alive"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        results = {name: await check() for name, check in checks.items()}
        ready = all(results.values())
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "checks": results}, status_code=200 if ready else 503
        )

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
