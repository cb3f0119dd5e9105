"""HTTP middleware (correlation id, latency histogram) and the health/readiness/metrics routes."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from habitat_common.telemetry import HTTP_LATENCY, correlation

Check = Callable[[], Awaitable[bool]]
CORRELATION_HEADER = "X-Correlation-ID"


class ObservabilityMiddleware:
    """Binds the correlation id, echoes it, and times each request by route template.

    A plain ASGI middleware: Starlette's BaseHTTPMiddleware costs a task and two streams per request.
    """

    def __init__(self, app, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-correlation-id"), None)
        status = 500
        with correlation(incoming) as correlation_id:

            async def send_with_id(message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    message["headers"] = [*message.get("headers", []), (b"x-correlation-id", correlation_id.encode())]
                await send(message)

            try:
                await self.app(scope, receive, send_with_id)
            finally:
                path = getattr(scope.get("route"), "path", "unmatched")
                HTTP_LATENCY.labels(self.service, scope["method"], path, str(status)).observe(
                    time.perf_counter() - started
                )


def install_observability(app: FastAPI, service: str, checks: dict[str, Check]) -> None:
    """Correlation ids, latency metrics, tracing, and /healthz, /readyz, /metrics."""
    app.add_middleware(ObservabilityMiddleware, service=service)
    app.include_router(health_router(checks))
    # one server span per request is the trace we need; per-message send/receive spans cost ~a fifth of a request
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics", exclude_spans=["receive", "send"])


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
