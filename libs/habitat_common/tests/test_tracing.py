"""Tracing set-up from the standard OTEL_* variables: OTLP export, sampling, database and consumer spans."""

from __future__ import annotations

import json
import logging
import os
import random
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from faststream.rabbit import RabbitBroker, TestRabbitBroker
from faststream.rabbit.opentelemetry import RabbitTelemetryMiddleware
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from habitat_common.contracts import Envelope, PeriodOpenedV1
from habitat_common.messaging.consumer import subscribe
from habitat_common.messaging.topology import Subscription, events_exchange
from habitat_common.settings import TelemetrySettings
from habitat_common.telemetry import JsonFormatter
from habitat_common.tracing import OtelEnvironment, build_tracer_provider, instrument_engine, sampler_for

SETTINGS = TelemetrySettings()


def otel(**variables: str) -> OtelEnvironment:
    """The OTEL_* variables given, and none of the test process's own."""
    return OtelEnvironment.model_validate(variables)


def in_memory() -> tuple[TracerProvider, InMemorySpanExporter]:
    provider, exporter = TracerProvider(), InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


def remote_parent(sampled: bool = True):
    context = SpanContext(random.getrandbits(128), 0x1234, is_remote=True,
                          trace_flags=TraceFlags(TraceFlags.SAMPLED if sampled else 0))
    return trace.set_span_in_context(NonRecordingSpan(context))


@contextmanager
def otlp_receiver() -> Iterator[tuple[str, list[ExportTraceServiceRequest]]]:
    """An OTLP/HTTP endpoint on loopback collecting the export requests it is sent."""
    received: list[ExportTraceServiceRequest] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path == "/v1/traces":
                received.append(ExportTraceServiceRequest.FromString(body))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def exported_names(received: list[ExportTraceServiceRequest]) -> list[tuple[str, str]]:
    return [
        (next(a.value.string_value for a in rs.resource.attributes if a.key == "service.name"), span.name)
        for request in received for rs in request.resource_spans for ss in rs.scope_spans for span in ss.spans
    ]


class TestExport:
    def test_spans_go_to_the_configured_otlp_endpoint_named_after_the_process(self) -> None:
        with otlp_receiver() as (endpoint, received):
            provider = build_tracer_provider("ledger", SETTINGS, otel(OTEL_EXPORTER_OTLP_ENDPOINT=endpoint))
            with provider.get_tracer("t").start_as_current_span("booking", context=remote_parent()):
                pass
            assert provider.force_flush(5_000)
            provider.shutdown()
        assert exported_names(received) == [("ledger", "booking")]

    def test_otel_service_name_overrides_the_process_name(self) -> None:
        with otlp_receiver() as (endpoint, received):
            environment = otel(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=endpoint + "/v1/traces", OTEL_SERVICE_NAME="books")
            provider = build_tracer_provider("ledger", SETTINGS, environment)
            with provider.get_tracer("t").start_as_current_span("booking", context=remote_parent()):
                pass
            provider.force_flush(5_000)
            provider.shutdown()
        assert exported_names(received) == [("books", "booking")]

    def test_exporter_none_sends_nothing_even_with_an_endpoint(self) -> None:
        with otlp_receiver() as (endpoint, received):
            environment = otel(OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_TRACES_EXPORTER="none")
            provider = build_tracer_provider("ledger", SETTINGS, environment)
            with provider.get_tracer("t").start_as_current_span("booking", context=remote_parent()):
                pass
            provider.force_flush(5_000)
            provider.shutdown()
        assert received == []

    def test_without_an_endpoint_otlp_is_not_configured(self) -> None:
        # compose passes the variable empty when the monitoring profile is off
        assert not otel().otlp_configured
        assert not otel(OTEL_EXPORTER_OTLP_ENDPOINT="").otlp_configured
        assert otel(OTEL_EXPORTER_OTLP_ENDPOINT="http://collector:4318").otlp_configured

    def test_an_unsupported_protocol_fails_at_start(self) -> None:
        environment = otel(OTEL_EXPORTER_OTLP_ENDPOINT="http://collector:4318", OTEL_EXPORTER_OTLP_PROTOCOL="http/json")
        with pytest.raises(ValueError, match="http/json"):
            build_tracer_provider("ledger", SETTINGS, environment)

    def test_sdk_disabled_installs_no_provider(self) -> None:
        # a fresh interpreter: a process installs its provider once
        script = ("from opentelemetry import trace; from habitat_common.settings import TelemetrySettings;"
                  "from habitat_common.telemetry import configure_tracing;"
                  "print(configure_tracing('x', TelemetrySettings()), type(trace.get_tracer_provider()).__name__)")
        environment = {**os.environ, "OTEL_SDK_DISABLED": "true"}
        out = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True)
        assert out.stdout.split() == ["None", "ProxyTracerProvider"]


class TestSampling:
    def decide(self, sampler, *, parent=None, kind=SpanKind.SERVER) -> bool:
        return sampler.should_sample(parent, random.getrandbits(128), "span", kind).decision.is_sampled()

    def test_default_records_callers_sampled_traces_and_a_share_of_our_own(self) -> None:
        sampler = sampler_for(TelemetrySettings(trace_sample_ratio=0.25), otel())
        assert all(self.decide(sampler, parent=remote_parent()) for _ in range(50))
        own = sum(self.decide(sampler) for _ in range(2000))
        assert 350 < own < 650

    def test_otel_traces_sampler_overrides_the_setting(self) -> None:
        always = sampler_for(TelemetrySettings(trace_sample_ratio=0.0), otel(OTEL_TRACES_SAMPLER="parentbased_always_on"))
        assert all(self.decide(always) for _ in range(20))
        never = sampler_for(SETTINGS, otel(OTEL_TRACES_SAMPLER="always_off"))
        assert not any(self.decide(never, parent=remote_parent()) for _ in range(20))
        ratio = sampler_for(SETTINGS, otel(OTEL_TRACES_SAMPLER="traceidratio", OTEL_TRACES_SAMPLER_ARG="0.5"))
        assert 800 < sum(self.decide(ratio) for _ in range(2000)) < 1200

    def test_an_unknown_sampler_fails_at_start(self) -> None:
        with pytest.raises(ValueError, match="parentbased_traceidratio"):
            sampler_for(SETTINGS, otel(OTEL_TRACES_SAMPLER="sometimes"))

    def test_a_client_span_starting_its_own_trace_is_dropped_but_not_inside_a_trace(self) -> None:
        # the relay's poll every second would otherwise fill the trace store
        sampler = sampler_for(SETTINGS, otel(OTEL_TRACES_SAMPLER="always_on"))
        assert not self.decide(sampler, kind=SpanKind.CLIENT)
        assert self.decide(sampler, kind=SpanKind.CLIENT, parent=remote_parent())
        assert self.decide(sampler, kind=SpanKind.INTERNAL)

    def test_a_span_under_one_not_recorded_is_never_recorded_whatever_the_sampler(self) -> None:
        # the gateway relies on it: it sends an unrecorded request's context on without a client span of its own
        names = ["", "always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off",
                 "parentbased_traceidratio"]
        for name in names:
            environment = otel(OTEL_TRACES_SAMPLER=name, OTEL_TRACES_SAMPLER_ARG="0.5") if name else otel()
            provider = TracerProvider(sampler=sampler_for(TelemetrySettings(trace_sample_ratio=0.5), environment))
            tracer, unrecorded = provider.get_tracer("t"), 0
            for parent in [None, remote_parent(), remote_parent(sampled=False)] * 40:
                with tracer.start_as_current_span("request", context=parent, kind=SpanKind.SERVER) as request:
                    if request.is_recording():
                        continue
                    unrecorded += 1
                    with tracer.start_as_current_span("GET", kind=SpanKind.CLIENT) as call:
                        assert not call.is_recording(), name
            assert unrecorded or name == "always_on", name


class TestDatabaseSpans:
    async def test_each_statement_is_a_client_span_inside_the_current_trace(self, database_url) -> None:
        provider, exporter = in_memory()
        engine = create_async_engine(database_url)
        instrument_engine(engine, provider)
        try:
            with provider.get_tracer("t").start_as_current_span("request") as request:
                async with engine.connect() as connection:
                    await connection.execute(text("SELECT 41 + 1"))
        finally:
            await engine.dispose()
        [statement] = [s for s in exporter.get_finished_spans() if s.kind == SpanKind.CLIENT]
        assert statement.parent.span_id == request.get_span_context().span_id
        assert "SELECT 41 + 1" in json.dumps(dict(statement.attributes))


class TestConsumerSpans:
    async def test_the_handler_runs_in_a_consumer_span_of_the_message_trace_and_logs_its_ids(self, caplog) -> None:
        """FastStream's telemetry middleware (on every broker, see make_broker) puts the publishing span's context
        in the headers and extracts it on delivery: the consumer's own code needs no span of its own."""
        provider, exporter = in_memory()
        broker = RabbitBroker(middlewares=(RabbitTelemetryMiddleware(tracer_provider=provider),), logger=None)
        seen: list[tuple[str, dict]] = []
        formatter = JsonFormatter("ledger", "worker")

        async def handle(envelope: Envelope) -> bool:
            record = logging.LogRecord("ledger.consumer", logging.INFO, __file__, 1, "booked", (), None)
            seen.append((trace.get_current_span().get_span_context(), json.loads(formatter.format(record))))
            return True

        subscribe(broker, Subscription("contributions", PeriodOpenedV1), handle, delivery_limit=3)
        payload = PeriodOpenedV1(period_id=uuid.uuid4(), name="2026-Q1", starts_on=date(2026, 1, 1),
                                 ends_on=date(2026, 3, 31), status="open")
        envelope = Envelope.wrap(payload, producer="ledger", correlation_id="corr-7")
        async with TestRabbitBroker(broker) as test_broker:
            with provider.get_tracer("relay").start_as_current_span("outbox relay") as relay:
                await test_broker.publish(envelope.model_dump_json(), routing_key=PeriodOpenedV1.routing_key(),
                                          exchange=events_exchange())
        [(context, line)] = seen
        [consumer] = [s for s in exporter.get_finished_spans() if s.kind == SpanKind.CONSUMER]
        assert context.span_id == consumer.context.span_id
        assert consumer.context.trace_id == relay.get_span_context().trace_id
        assert line["trace_id"] == format(relay.get_span_context().trace_id, "032x")
        assert line["span_id"] == format(consumer.context.span_id, "016x")
        assert line["correlation_id"] == "corr-7"
