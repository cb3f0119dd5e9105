"""Each call the gateway makes to a service is a client span under the request's span, and the service is
sent that span's context in the traceparent header."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from habitat_gateway.clients.transport import AiohttpTransport, TransportFailure
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import SpanKind, StatusCode


@pytest.fixture
async def service() -> AsyncIterator[tuple[str, list[str]]]:
    """A service on loopback answering /ok with 200 and /down with 503, keeping each traceparent it is sent."""
    received: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        received.append(request.headers.get("traceparent", ""))
        return web.json_response({"ok": True}, status=503 if request.path == "/down" else 200)

    app = web.Application()
    app.router.add_get("/ok", answer)
    app.router.add_get("/down", answer)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")), received
    finally:
        await server.close()


def traced() -> tuple[TracerProvider, InMemorySpanExporter]:
    provider, exporter = TracerProvider(), InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


async def test_a_call_is_a_client_span_under_the_request_whose_context_the_service_receives(service) -> None:
    url, received = service
    provider, exporter = traced()
    transport = AiohttpTransport(url, timeout=5, max_connections=2, tracer=provider.get_tracer("t"))
    try:
        with provider.get_tracer("t").start_as_current_span("GET /api/v1/me", kind=SpanKind.SERVER) as request:
            response = await transport.send("GET", "/ok", headers={"Authorization": "Bearer x"}, params={})
    finally:
        await transport.close()
    assert response.status == 200
    [client] = [s for s in exporter.get_finished_spans() if s.kind == SpanKind.CLIENT]
    assert client.name == "GET"
    assert client.parent.span_id == request.get_span_context().span_id
    [(version, trace_id, parent_id, flags)] = [header.split("-") for header in received]
    assert (version, trace_id, parent_id) == ("00", f"{client.context.trace_id:032x}", f"{client.context.span_id:016x}")
    assert int(flags, 16) & 1  # sampled
    assert client.attributes["http.response.status_code"] == 200
    assert client.attributes["url.full"] == url.rstrip("/") + "/ok"
    assert client.status.status_code == StatusCode.UNSET


async def test_an_error_answer_and_an_unreachable_service_mark_the_span_as_failed(service) -> None:
    url, _ = service
    provider, exporter = traced()
    tracer = provider.get_tracer("t")
    up = AiohttpTransport(url, timeout=5, max_connections=2, tracer=tracer)
    gone = AiohttpTransport("http://127.0.0.1:9", timeout=2, max_connections=2, tracer=tracer)
    try:
        with tracer.start_as_current_span("request", kind=SpanKind.SERVER):
            assert (await up.send("GET", "/down", headers={}, params={})).status == 503
            with pytest.raises(TransportFailure):
                await gone.send("GET", "/ok", headers={}, params={})
    finally:
        await up.close()
        await gone.close()
    down, unreachable = [s for s in exporter.get_finished_spans() if s.kind == SpanKind.CLIENT]
    assert (down.attributes["http.response.status_code"], down.status.status_code) == (503, StatusCode.ERROR)
    assert unreachable.status.status_code == StatusCode.ERROR
    assert [e.attributes["exception.type"] for e in unreachable.events] == ["habitat_gateway.clients.transport.TransportFailure"]


async def test_the_callers_headers_are_left_as_they_were(service) -> None:
    url, received = service
    provider, _ = traced()
    transport = AiohttpTransport(url, timeout=5, max_connections=2, tracer=provider.get_tracer("t"))
    headers = {"Authorization": "Bearer x"}
    try:
        with provider.get_tracer("t").start_as_current_span("request", kind=SpanKind.SERVER):
            await transport.send("GET", "/ok", headers=headers, params={})
    finally:
        await transport.close()
    assert headers == {"Authorization": "Bearer x"}
    assert received[0].startswith("00-")


async def test_a_call_for_a_request_not_recorded_sends_the_requests_context_and_records_nothing(service) -> None:
    url, received = service
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=ALWAYS_OFF)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("t")
    transport = AiohttpTransport(url, timeout=5, max_connections=2, tracer=tracer)
    gone = AiohttpTransport("http://127.0.0.1:9", timeout=2, max_connections=2, tracer=tracer)
    try:
        with tracer.start_as_current_span("GET /api/v1/me", kind=SpanKind.SERVER) as request:
            assert (await transport.send("GET", "/ok", headers={}, params={})).status == 200
            with pytest.raises(TransportFailure):
                await gone.send("GET", "/ok", headers={}, params={})
    finally:
        await transport.close()
        await gone.close()
    context = request.get_span_context()
    # the service continues the same unrecorded trace rather than deciding afresh
    [(version, trace_id, parent_id, flags)] = [header.split("-") for header in received]
    assert (version, trace_id, parent_id) == ("00", f"{context.trace_id:032x}", f"{context.span_id:016x}")
    assert not int(flags, 16) & 1  # not sampled
    assert exporter.get_finished_spans() == ()
