"""Putting a failed delivery back for later: the headers a retry carries and a publish that must be confirmed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from faststream.rabbit import RabbitBroker
from pamqp.commands import Basic

RETRIES_HEADER = "x-habitat-retries"
LAST_ERROR_HEADER = "x-habitat-last-error"
FIRST_FAILED_HEADER = "x-habitat-first-failed-at"
# what a replay of a dead letter should drop for the message to get a fresh schedule
RETRY_HEADERS = frozenset((RETRIES_HEADER, LAST_ERROR_HEADER, FIRST_FAILED_HEADER))
ERROR_TEXT_LIMIT = 300


class PublishNotConfirmed(RuntimeError):
    """The broker did not take the message (returned as unroutable, or nacked): the delivery must not be acked."""


def retries_done(headers: Mapping[str, Any] | None) -> int:
    """How many retries the delivery has had; a missing or garbled count is none (the schedule still ends it)."""
    value = (headers or {}).get(RETRIES_HEADER, 0)
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def describe(error: BaseException) -> str:
    """`ErrorClass: message`, cut to a size that fits a header and a log line."""
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= ERROR_TEXT_LIMIT else text[: ERROR_TEXT_LIMIT - 1] + "…"


def retry_headers(headers: Mapping[str, Any] | None, error: BaseException, now: datetime) -> dict[str, Any]:
    """The delivery's headers with the retry count raised by one, the last error and when it first failed."""
    headers = dict(headers or {})
    headers.setdefault(FIRST_FAILED_HEADER, now.isoformat())
    return {**headers, RETRIES_HEADER: retries_done(headers) + 1, LAST_ERROR_HEADER: describe(error)}


def seconds_failing(headers: Mapping[str, Any] | None, now: datetime) -> float:
    """Since the first failure (0 when the delivery has not been retried or the header is garbled)."""
    try:
        first = datetime.fromisoformat(str((headers or {})[FIRST_FAILED_HEADER]))
    except (KeyError, ValueError):
        return 0.0
    return max((now - first).total_seconds(), 0.0)


def exhausted_reason(headers: Mapping[str, Any] | None, error: BaseException, now: datetime) -> str:
    attempts = retries_done(headers) + 1
    return (
        f"retries_exhausted: {attempts} attempts over {seconds_failing(headers, now):.0f} s;"
        f" last error: {describe(error)}"
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


async def publish_confirmed(broker: RabbitBroker, body: bytes, **options: Any) -> None:
    """Publish persistent and mandatory; return only once the broker confirmed it has queued the message.

    Without publisher confirms (FastStream's in-memory test broker) there is no answer to check."""
    result = await broker.publish(body, persist=True, mandatory=True, **options)
    if result is not None and not isinstance(result, Basic.Ack):
        raise PublishNotConfirmed(
            f"{getattr(options.get('exchange'), 'name', '')} / {options.get('routing_key')}: {type(result).__name__}, not confirmed"
        )
