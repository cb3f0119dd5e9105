"""Health, readiness, metrics and correlation ids on every HTTP process."""

from __future__ import annotations

import json
import logging

import httpx
from fastapi import FastAPI

from habitat_common.telemetry import JsonFormatter, correlation
from habitat_common.web.observability import install_observability


def app_with(checks: dict) -> FastAPI:
    app = FastAPI()

    @app.get("/things/{thing_id}")
    async def thing(thing_id: int) -> dict:
        return {"id": thing_id}

    install_observability(app, "sample", checks)
    return app


async def call(app: FastAPI, path: str, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        return await client.get(path, **kwargs)


async def test_readyz_is_503_naming_the_failed_dependency() -> None:
    async def up() -> bool:
        return True

    async def down() -> bool:
        return False

    assert (await call(app_with({"database": up, "broker": up}), "/readyz")).status_code == 200
    response = await call(app_with({"database": up, "broker": down}), "/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "broker": False}
    assert (await call(app_with({"broker": down}), "/healthz")).status_code == 200


async def test_latency_is_recorded_per_route_template_and_correlation_id_echoed() -> None:
    app = app_with({})
    response = await call(app, "/things/7", headers={"X-Correlation-ID": "corr-123"})
    assert response.headers["X-Correlation-ID"] == "corr-123"
    minted = (await call(app, "/things/8")).headers["X-Correlation-ID"]
    assert len(minted) == 36
    metrics = (await call(app, "/metrics")).text
    assert 'habitat_http_request_duration_seconds_count{method="GET",route="/things/{thing_id}",service="sample",status="200"}' in metrics


def test_json_log_lines_carry_the_correlation_id() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    with correlation("corr-9"):
        line = json.loads(JsonFormatter("sample").format(record))
    assert line["message"] == "hello world"
    assert line["correlation_id"] == "corr-9"
    assert line["service"] == "sample"


async def test_probes_and_scrapes_are_not_timed_as_api_requests() -> None:
    """A /readyz 503 while the database is down must not count as the API's 5xx (HabitatHttpErrors)."""
    from prometheus_client import REGISTRY

    async def down() -> bool:
        return False

    app = app_with({"database": down})
    for path in ("/readyz", "/healthz", "/metrics"):
        await call(app, path)
    for route in ("/readyz", "/healthz", "/metrics"):
        for status in ("200", "503"):
            labels = {"service": "sample", "method": "GET", "route": route, "status": status}
            assert REGISTRY.get_sample_value("habitat_http_request_duration_seconds_count", labels) is None
    await call(app, "/things/1")
    labels = {"service": "sample", "method": "GET", "route": "/things/{thing_id}", "status": "200"}
    assert REGISTRY.get_sample_value("habitat_http_request_duration_seconds_count", labels) >= 1
