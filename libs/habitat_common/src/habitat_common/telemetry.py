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

from habitat_common.metrics import (  # noqa: F401 - re-exported: the metrics lived here before metrics.py
    EVENTS_CONSUMED,
    EVENTS_FAILED,
    EVENTS_PUBLISHED,
    HTTP_LATENCY,
    IMPORT_EVENTS_LAG,
    IMPORT_EVENTS_PENDING,
    MESSAGING_ROWS_PRUNED,
    OUTBOX_BACKLOG,
    OUTBOX_LAG,
    RETRIES_SCHEDULED,
)
from habitat_common.settings import TelemetrySettings
from habitat_common.tracing import configure_tracing  # noqa: F401 - re-exported: it lived here before tracing.py

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


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


# what every LogRecord has; anything else on a record came from `extra=` and goes into the JSON
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# uvicorn's ANSI-coloured copy of the message: noise in a JSON line
_DROPPED_EXTRAS = frozenset({"color_message"})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, service (and process), logger, message, the correlation id, trace
    and span ids when there are some, and every `extra=` field (renamed extra_<name> should it clash)."""

    def __init__(self, service: str, process: str | None = None) -> None:
        super().__init__()
        self._service = service
        self._process = process

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "service": self._service,
            **({"process": self._process} if self._process else {}),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if correlation_id := _correlation_id.get():
            entry["correlation_id"] = correlation_id
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            entry["trace_id"] = format(span_context.trace_id, "032x")
            entry["span_id"] = format(span_context.span_id, "016x")
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in _DROPPED_EXTRAS:
                entry[f"extra_{key}" if key in entry else key] = value
        return json.dumps(entry, default=str)


def configure_logging(service: str, settings: TelemetrySettings, *, process: str = "http") -> None:
    """JSON lines on stdout for the whole process (uvicorn's and FastStream's loggers included) at the
    process's root level (settings.root_level: "http" or "worker"), with settings.log_levels per logger."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service, process))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.root_level(process))
    # uvicorn --no-access-log leaves its access logger with no handler and not propagating; uvicorn writes the
    # line only while the logger has a handler somewhere, so that choice is kept rather than undone here
    access = logging.getLogger("uvicorn.access")
    access_off = not access.handlers and not access.propagate
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "faststream", "faststream.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = not (name == "uvicorn.access" and access_off)
    # httpx writes an INFO line per request: the feeds every process polls (revocations; the gateway's three member
    # change feeds) would add several lines a second of nothing; settings.log_levels may still ask for them
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for name, level in settings.logger_levels().items():
        logging.getLogger(name).setLevel(level)
