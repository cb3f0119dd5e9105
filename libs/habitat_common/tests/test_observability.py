"""Health, readiness, metrics and correlation ids on every HTTP process."""

from __future__ import annotations

import json
import logging
import random

import httpx
from fastapi import APIRouter, FastAPI
from fastapi.routing import iter_route_contexts
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased
from opentelemetry.trace import SpanKind, StatusCode
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from habitat_common.telemetry import JsonFormatter, correlation
from habitat_common.web import route_templates
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


def traced_app() -> tuple[FastAPI, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=ParentBased(ALWAYS_ON))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = FastAPI()

    @app.get("/things/{thing_id}")
    async def thing(thing_id: int) -> dict:
        return {"id": thing_id}

    @app.get("/broken")
    async def broken() -> dict:
        raise RuntimeError("the handler failed")

    install_observability(app, "sample", {}, tracer_provider=provider)
    return app, exporter


def traceparent(sampled: bool) -> tuple[int, int, str]:
    trace_id, span_id = random.getrandbits(128) | 1, random.getrandbits(64) | 1
    return trace_id, span_id, f"00-{trace_id:032x}-{span_id:016x}-{'01' if sampled else '00'}"


class TestServerSpans:
    async def test_a_request_is_one_server_span_named_after_its_route_under_the_callers_span(self) -> None:
        app, exporter = traced_app()
        trace_id, parent_id, header = traceparent(sampled=True)
        assert (await call(app, "/things/7", headers={"traceparent": header})).status_code == 200
        [span] = exporter.get_finished_spans()
        assert (span.name, span.kind) == ("GET /things/{thing_id}", SpanKind.SERVER)
        assert span.attributes["http.route"] == "/things/{thing_id}"
        assert (span.context.trace_id, span.parent.span_id) == (trace_id, parent_id)
        assert span.attributes.get("http.response.status_code", span.attributes.get("http.status_code")) == 200

    async def test_a_path_no_route_matches_keeps_the_method_alone(self) -> None:
        app, exporter = traced_app()
        assert (await call(app, "/nowhere/else")).status_code == 404
        [span] = exporter.get_finished_spans()
        assert span.name == "GET"
        assert "http.route" not in span.attributes

    async def test_a_handlers_exception_is_recorded_on_its_span(self) -> None:
        app, exporter = traced_app()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app, raise_app_exceptions=False),
                                     base_url="http://t") as client:
            assert (await client.get("/broken")).status_code == 500
        [span] = exporter.get_finished_spans()
        assert span.name == "GET /broken"
        assert span.status.status_code == StatusCode.ERROR
        assert [event.attributes["exception.type"] for event in span.events] == ["RuntimeError"]

    async def test_probes_and_a_callers_unsampled_trace_record_nothing(self) -> None:
        app, exporter = traced_app()
        for path in ("/healthz", "/health", "/readyz", "/metrics"):
            assert (await call(app, path)).status_code == 200
        _, _, header = traceparent(sampled=False)
        assert (await call(app, "/things/8", headers={"traceparent": header})).status_code == 200
        assert exporter.get_finished_spans() == ()


class TestRouteTemplates:
    """Routes of included routers are named as served, prefixes and all, in the histograms and the spans."""

    def app(self) -> tuple[FastAPI, InMemorySpanExporter]:
        exporter = InMemorySpanExporter()
        provider = TracerProvider(sampler=ParentBased(ALWAYS_ON))
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        app = FastAPI()
        things, api = APIRouter(), APIRouter(prefix="/api/v1")

        @things.get("/things/{thing_id}")
        async def thing(thing_id: int) -> dict:
            return {"id": thing_id}

        api.include_router(things)
        app.include_router(api)
        app.include_router(things, prefix="/pages")  # the same routes under a second prefix
        install_observability(app, "nested", {}, tracer_provider=provider)
        return app, exporter

    async def test_a_route_is_named_with_the_prefixes_it_was_reached_through(self) -> None:
        app, exporter = self.app()
        assert (await call(app, "/api/v1/things/1")).status_code == 200
        assert (await call(app, "/pages/things/2")).status_code == 200
        assert [s.name for s in exporter.get_finished_spans()] == ["GET /api/v1/things/{thing_id}",
                                                                   "GET /pages/things/{thing_id}"]
        metrics = (await call(app, "/metrics")).text
        for route in ("/api/v1/things/{thing_id}", "/pages/things/{thing_id}"):
            assert f'method="GET",route="{route}",service="nested",status="200"' in metrics

    async def test_a_route_added_after_the_first_request_is_named_too(self) -> None:
        app, exporter = self.app()
        assert (await call(app, "/api/v1/things/1")).status_code == 200
        late = APIRouter(prefix="/late")

        @late.get("/comer")
        async def comer() -> dict:
            return {}

        app.include_router(late)
        assert (await call(app, "/late/comer")).status_code == 200
        assert exporter.get_finished_spans()[-1].name == "GET /late/comer"

    async def test_a_route_the_contexts_never_list_is_looked_for_once(self, monkeypatch) -> None:
        # a plain Starlette Mount's routes are not among FastAPI's route contexts; looking for one of them again
        # on every request would read every route of the app per request
        app, exporter = self.app()

        async def ping(_: object) -> PlainTextResponse:
            return PlainTextResponse("pong")

        app.router.routes.append(Mount("/legacy", routes=[Route("/ping", ping)]))
        reads = []
        monkeypatch.setattr(route_templates, "iter_route_contexts",
                            lambda routes: reads.append(1) or iter_route_contexts(routes))
        for _ in range(3):
            assert (await call(app, "/legacy/ping")).text == "pong"
        assert len(reads) == 1
        assert (await call(app, "/api/v1/things/1")).status_code == 200
        assert len(reads) == 1
        assert exporter.get_finished_spans()[-1].name == "GET /api/v1/things/{thing_id}"
