"""HTTP middleware (correlation id, latency histogram) and the health/readiness/metrics routes."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from habitat_common.telemetry import HTTP_LATENCY, correlation

Check = Callable[[], Awaitable[bool]]
CORRELATION_HEADER = "X-Correlation-ID"


def install_observability(app: FastAPI, service: str, checks: dict[str, Check]) -> None:
    """Correlation ids, latency metrics, tracing, and /healthz, /readyz, /metrics."""

    @app.middleware("http")
    async def _observe(request: Request, call_next):
        started = time.perf_counter()
        with correlation(request.headers.get(CORRELATION_HEADER)) as correlation_id:
            response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        HTTP_LATENCY.labels(service, request.method, path, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        response.headers[CORRELATION_HEADER] = correlation_id
        return response

    app.include_router(health_router(checks))
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")


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
