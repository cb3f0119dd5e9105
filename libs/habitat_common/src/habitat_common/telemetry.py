"""Metrics, JSON logs with a correlation id, and OpenTelemetry tracing set-up."""

from __future__ import annotations

import json
import logging
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from prometheus_client import Counter, Gauge, Histogram

from habitat_common.settings import TelemetrySettings

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

HTTP_LATENCY = Histogram(
    "habitat_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_PUBLISHED = Counter("habitat_events_published_total", "Events relayed from the outbox", ["service", "event"])
EVENTS_CONSUMED = Counter(
    "habitat_events_consumed_total", "Events handled by a consumer", ["consumer", "event", "outcome"]
)
EVENTS_FAILED = Counter("habitat_events_failed_total", "Event deliveries that failed", ["consumer", "event", "reason"])
RETRIES_SCHEDULED = Counter(
    "habitat_event_retries_scheduled_total", "Failed deliveries put in a delayed retry queue", ["consumer", "event"]
)
MESSAGING_ROWS_PRUNED = Counter(
    "habitat_messaging_rows_pruned_total", "Outbox and inbox rows pruned past the retention", ["service", "table"]
)
OUTBOX_BACKLOG = Gauge("habitat_outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_LAG = Gauge("habitat_outbox_oldest_unpublished_seconds", "Age of the oldest unpublished row", ["service"])
IMPORT_EVENTS_PENDING = Gauge(
    "habitat_import_events_pending", "Events of committed imports not yet written to the outbox", ["service"]
)
IMPORT_EVENTS_LAG = Gauge(
    "habitat_import_events_oldest_pending_seconds", "Age of the oldest committed import with events still to write",
    ["service"],
)


def current_correlation_id() -> str | None:
    return _correlation_id.get()


@contextmanager
def correlation(correlation_id: str | None) -> Iterator[str]:
    """Bind a correlation id (a new one if None) to everything logged inside the block."""
    value = correlation_id or str(uuid.uuid4())
    token = _correlation_id.set(value)
    try:
        yield value
    finally:
        _correlation_id.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the correlation id and trace id when there is one."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if correlation_id := _correlation_id.get():
            entry["correlation_id"] = correlation_id
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            entry["trace_id"] = format(span_context.trace_id, "032x")
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(service: str, settings: TelemetrySettings) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "faststream", "faststream.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True


def configure_tracing(service: str, settings: TelemetrySettings) -> TracerProvider:
    """Install a tracer provider; spans carry the service name and follow HTTP and messages."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    # a request whose caller sent a sampled trace is always recorded; our own roots are sampled at a ratio,
    # since recording every span of every request costs a noticeable share of a request's CPU
    sampler = ParentBased(TraceIdRatioBased(settings.trace_sample_ratio))
    provider = TracerProvider(resource=Resource.create({"service.name": service}), sampler=sampler)
    if settings.trace_console:
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider
