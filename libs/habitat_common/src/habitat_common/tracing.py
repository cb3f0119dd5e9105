"""OpenTelemetry tracing: a tracer provider set up from the standard OTEL_* variables, OTLP export, and the
database and HTTP client instrumentations that turn statements and service calls into spans."""

from __future__ import annotations

import logging

from opentelemetry import metrics, trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import SpanKind
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.ext.asyncio import AsyncEngine

from habitat_common.settings import TelemetrySettings

log = logging.getLogger(__name__)

_PARENT_BASED = "parentbased_"


class OtelEnvironment(BaseSettings):
    """The standard OpenTelemetry variables (unprefixed: they are the SDK's own, shared by every process).

    The OTLP exporter itself reads the rest (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION, certificates),
    and the batch processor its OTEL_BSP_* variables."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    sdk_disabled: bool = Field(default=False, validation_alias="OTEL_SDK_DISABLED")
    service_name: str | None = Field(default=None, validation_alias="OTEL_SERVICE_NAME")
    traces_exporter: str = Field(default="otlp", validation_alias="OTEL_TRACES_EXPORTER")
    endpoint: str | None = Field(default=None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    traces_endpoint: str | None = Field(default=None, validation_alias="OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    protocol: str = Field(default="http/protobuf", validation_alias="OTEL_EXPORTER_OTLP_PROTOCOL")
    traces_protocol: str | None = Field(default=None, validation_alias="OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
    sampler: str | None = Field(default=None, validation_alias="OTEL_TRACES_SAMPLER")
    sampler_arg: float | None = Field(default=None, validation_alias="OTEL_TRACES_SAMPLER_ARG")

    @field_validator("service_name", "endpoint", "traces_endpoint", "traces_protocol", "sampler", "sampler_arg",
                     mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # compose passes `${OTEL_EXPORTER_OTLP_ENDPOINT:-}`: an empty variable means "not configured"
        return None if value == "" else value

    @property
    def exporters(self) -> list[str]:
        """OTEL_TRACES_EXPORTER's names, lower case; "none" (alone) means none."""
        names = [name.strip().lower() for name in self.traces_exporter.split(",") if name.strip()]
        return [] if names == ["none"] else names

    @property
    def otlp_configured(self) -> bool:
        """OTLP is only ever sent to an endpoint an operator named (no default localhost:4318)."""
        return "otlp" in self.exporters and bool(self.traces_endpoint or self.endpoint)


class NoLoneClientSpans(Sampler):
    """Drops a client span (a database statement, a service call) that starts a trace of its own: those are the
    background loops' polls and probes (the outbox relay's SELECT every second, readiness pings), noise that
    would bury the request and message traces. Everything else is decided by the wrapped sampler."""

    def __init__(self, delegate: Sampler) -> None:
        self._delegate = delegate

    def should_sample(self, parent_context: Context | None, trace_id: int, name: str, kind: SpanKind | None = None,
                      attributes=None, links=None, trace_state=None) -> SamplingResult:
        """DROP for a parentless client span, otherwise the delegate's decision."""
        parent = trace.get_current_span(parent_context).get_span_context()
        if kind == SpanKind.CLIENT and not parent.is_valid:
            return SamplingResult(Decision.DROP)
        return self._delegate.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"NoLoneClientSpans{{{self._delegate.get_description()}}}"


def sampler_for(settings: TelemetrySettings, otel: OtelEnvironment) -> Sampler:
    """OTEL_TRACES_SAMPLER (with _ARG) when set, else our default: a caller's sampled trace is always recorded,
    our own roots at settings.trace_sample_ratio (recording every span costs a noticeable share of a request)."""
    name = (otel.sampler or "").lower()
    ratio = settings.trace_sample_ratio if otel.sampler is None else (1.0 if otel.sampler_arg is None else otel.sampler_arg)
    roots = {"always_on": ALWAYS_ON, "always_off": ALWAYS_OFF, "traceidratio": TraceIdRatioBased(ratio)}
    if not name:
        return NoLoneClientSpans(ParentBased(TraceIdRatioBased(ratio)))
    root = roots.get(name.removeprefix(_PARENT_BASED))
    if root is None:
        raise ValueError(f"OTEL_TRACES_SAMPLER={otel.sampler!r} is not one of the standard samplers: "
                         + ", ".join([*roots, *(_PARENT_BASED + n for n in roots)]))
    return NoLoneClientSpans(ParentBased(root) if name.startswith(_PARENT_BASED) else root)


def otlp_exporter(otel: OtelEnvironment) -> SpanExporter:
    """The OTLP span exporter for the configured protocol and endpoint (the signal's own, or the base endpoint
    with /v1/traces over HTTP); it reads its other options (headers, timeout, TLS) from OTEL_* itself."""
    protocol = (otel.traces_protocol or otel.protocol).lower()
    if protocol == "http/protobuf":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=otel.traces_endpoint or f"{(otel.endpoint or '').rstrip('/')}/v1/traces")
    if protocol == "grpc":
        try:
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpanExporter
        except ImportError:
            raise ValueError(
                "OTEL_EXPORTER_OTLP_PROTOCOL=grpc needs opentelemetry-exporter-otlp-proto-grpc, which the images"
                " leave out; use http/protobuf (the collector listens on 4318)"
            ) from None
        return GrpcSpanExporter(endpoint=otel.traces_endpoint or otel.endpoint)
    raise ValueError(f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol!r}: only http/protobuf (and grpc) are supported")


def build_tracer_provider(service: str, settings: TelemetrySettings, otel: OtelEnvironment) -> TracerProvider:
    """A provider naming the process (OTEL_SERVICE_NAME wins), sampling as sampler_for says and exporting to
    each configured exporter: OTLP in batches only when an endpoint is set, the console when asked for."""
    resource = Resource.create({"service.name": otel.service_name or service})
    provider = TracerProvider(resource=resource, sampler=sampler_for(settings, otel))
    if otel.otlp_configured:
        provider.add_span_processor(BatchSpanProcessor(otlp_exporter(otel)))
    if settings.trace_console or "console" in otel.exporters:
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    unknown = set(otel.exporters) - {"otlp", "console"}
    if unknown:
        log.warning("OTEL_TRACES_EXPORTER: %s ignored (otlp, console or none)", ", ".join(sorted(unknown)))
    return provider


def configure_tracing(service: str, settings: TelemetrySettings, otel: OtelEnvironment | None = None) -> TracerProvider | None:
    """Install the process's tracer provider once; None when OTEL_SDK_DISABLED is true (no spans, no trace ids).

    Without an exporter configured, spans still get ids (log lines carry trace_id and the context still follows
    requests and messages) but nothing leaves the process."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    otel = otel or OtelEnvironment()
    if otel.sdk_disabled:
        return None
    provider = build_tracer_provider(service, settings, otel)
    trace.set_tracer_provider(provider)
    return provider


def instrument_engine(engine: AsyncEngine, tracer_provider: trace.TracerProvider | None = None) -> None:
    """A span per statement on engine, a child of whatever request or message span is current (the global
    provider unless tracer_provider is given).

    EngineTracer on the async engine's sync_engine rather than SQLAlchemyInstrumentor: the instrumentor
    instruments one engine per process and patches create_engine globally."""
    tracer = trace.get_tracer("opentelemetry.instrumentation.sqlalchemy", tracer_provider=tracer_provider)
    usage = metrics.get_meter("opentelemetry.instrumentation.sqlalchemy").create_up_down_counter(
        "db.client.connections.usage", unit="connections"
    )
    EngineTracer(tracer, engine.sync_engine, usage)
