"""Dead letters as an operator sees them: what a dead message says about itself, and what replaying or
discarding a set of them does. Pure rules: no database, no broker, no web framework."""

from __future__ import annotations

import base64
import json
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

DEAD = "dead"
REPLAY_REQUESTED = "replay_requested"
REPLAYED = "replayed"
DISCARDED = "discarded"
STATUSES = (DEAD, REPLAY_REQUESTED, REPLAYED, DISCARDED)

REASON_HEADER = "x-habitat-dead-letter-reason"  # same names as messaging.consumer (filed refusals)
QUEUE_HEADER = "x-habitat-dead-letter-queue"
LETTER_ID_HEADER = "x-habitat-dead-letter-id"  # set on a replayed message: its death again reopens the row
# what RabbitMQ (or a refusal) adds when a message dies; a replayed message starts without them
DEATH_HEADERS = frozenset((
    REASON_HEADER, QUEUE_HEADER, "x-death", "x-first-death-exchange", "x-first-death-queue",
    "x-first-death-reason", "x-last-death-exchange", "x-last-death-queue", "x-last-death-reason",
    "x-delivery-count",
))
MAX_REASON = 500


class DeadLetterError(Exception):
    code = "dead_letter_error"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownQueue(DeadLetterError):
    code = "unknown_queue"
    status = 404


class DeadLettersNotFound(DeadLetterError):
    code = "dead_letter_not_found"
    status = 404


class DeadLettersNotDead(DeadLetterError):
    """Discarding a letter already replayed (or asked to be), or replaying a discarded one."""

    code = "dead_letter_not_dead"
    status = 409


class InvalidReason(DeadLetterError):
    code = "invalid_reason"
    status = 422


@dataclass(frozen=True)
class Death:
    """What one dead message tells about itself."""

    queue: str
    reason: str
    event_type: str | None
    event_id: uuid.UUID | None
    message_id: str | None
    headers: dict[str, Any]
    body: bytes
    content_type: str | None = None
    letter_id: uuid.UUID | None = None


def _jsonable(value: Any) -> Any:
    """AMQP header values (datetimes, bytes, decimals, nested tables) as JSON, for the jsonb column."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _broker_reason(headers: Mapping[str, Any]) -> str:
    """The reason RabbitMQ gives in x-death: delivery_limit (failed on every delivery), rejected, expired."""
    deaths = headers.get("x-death")
    if isinstance(deaths, list | tuple) and deaths and isinstance(deaths[0], Mapping):
        first = deaths[0]
        reason = first.get("reason")
        reason = reason.decode() if isinstance(reason, bytes) else str(reason or "unknown")
        if reason == "delivery_limit":
            return "delivery_limit: the consumer failed on every delivery"
        return reason
    reason = headers.get("x-first-death-reason") or headers.get("x-last-death-reason")
    return str(reason) if reason else "unknown: dead-lettered without a reason"


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value is not None else None
    except ValueError:
        return None


def read_death(
    queue: str, body: bytes, headers: Mapping[str, Any] | None, *, message_id: str | None = None,
    content_type: str | None = None,
) -> Death:
    """The death of a message taken from queue's dead-letter queue: the reason the consumer filed, else the
    broker's; event type and id when the body is an envelope (a malformed one may have neither)."""
    headers = dict(headers or {})
    reason = headers.get(REASON_HEADER)
    reason = str(reason) if reason else _broker_reason(headers)
    try:
        envelope = json.loads(body)
    except ValueError:
        envelope = None
    envelope = envelope if isinstance(envelope, dict) else {}
    event_type = envelope.get("event_type")
    if isinstance(event_type, str) and isinstance(envelope.get("event_version"), int):
        event_type = f"{event_type}.v{envelope['event_version']}"
    return Death(
        queue=queue,
        reason=reason[:2000],
        event_type=event_type if isinstance(event_type, str) else None,
        event_id=_uuid(envelope.get("event_id")),
        message_id=message_id,
        headers=_jsonable(headers),
        body=bytes(body),
        content_type=content_type,
        letter_id=_uuid(headers.get(LETTER_ID_HEADER)),
    )


def replay_headers(
    headers: Mapping[str, Any], letter_id: uuid.UUID, *, drop: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The headers a replayed message travels with: the original ones without the death marks (nor those in
    drop: the consumer's retry count, so that a replay starts a fresh retry schedule), plus the letter's id
    (so that dying again reopens the same row)."""
    kept = {k: v for k, v in headers.items() if k not in DEATH_HEADERS | drop}
    return kept | {LETTER_ID_HEADER: str(letter_id)}


def body_for_display(body: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 text as is, anything else base64."""
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), "base64"


def checked_reason(reason: str) -> str:
    """An operator's discard reason: 1..MAX_REASON characters, not blank, no control characters."""
    if any(unicodedata.category(ch) == "Cc" for ch in reason):
        raise InvalidReason("reason must not contain control characters")
    text = reason.strip()
    if not text or len(text) > MAX_REASON:
        raise InvalidReason(f"reason must be 1 to {MAX_REASON} characters")
    return text


def checked_queue(queue: str, known: Iterable[str]) -> str:
    if queue not in set(known):
        raise UnknownQueue(f"{queue!r} is not a work queue of this service")
    return queue


@dataclass(frozen=True)
class Plan:
    """Which letters an operator's request changes, and how many were already where it leads."""

    change: list[uuid.UUID] = field(default_factory=list)
    already: list[uuid.UUID] = field(default_factory=list)


def _check_found(queue: str, asked: Sequence[uuid.UUID] | None, statuses: Mapping[uuid.UUID, str]) -> None:
    missing = [str(i) for i in asked or () if i not in statuses]
    if missing:
        raise DeadLettersNotFound(f"no dead letter {', '.join(missing[:10])} in {queue}")


def plan_replay(queue: str, asked: Sequence[uuid.UUID] | None, statuses: Mapping[uuid.UUID, str]) -> Plan:
    """statuses: the queue's letters (all of them when asked is None, else those asked for) by id. Dead ones
    are to be replayed; ones already asked for or replayed count as already done; discarded ones refuse."""
    _check_found(queue, asked, statuses)
    discarded = [str(i) for i, s in statuses.items() if s == DISCARDED and asked is not None]
    if discarded:
        raise DeadLettersNotDead(f"dead letter {', '.join(discarded[:10])} was discarded; it cannot be replayed")
    change = [i for i, s in statuses.items() if s == DEAD]
    already = [i for i, s in statuses.items() if s in (REPLAY_REQUESTED, REPLAYED) and asked is not None]
    return Plan(change, already)


def plan_discard(queue: str, asked: Sequence[uuid.UUID] | None, statuses: Mapping[uuid.UUID, str]) -> Plan:
    """Dead letters are to be discarded; discarded ones count as already done; a letter on its way back
    (replay asked for, or replayed) refuses: it is no longer dead."""
    _check_found(queue, asked, statuses)
    moving = [str(i) for i, s in statuses.items() if s in (REPLAY_REQUESTED, REPLAYED) and asked is not None]
    if moving:
        raise DeadLettersNotDead(f"dead letter {', '.join(moving[:10])} is replayed or being replayed, not dead")
    change = [i for i, s in statuses.items() if s == DEAD]
    already = [i for i, s in statuses.items() if s == DISCARDED and asked is not None]
    return Plan(change, already)


def age_seconds(dead_at: datetime, now: datetime) -> int:
    return max(0, int((now - dead_at).total_seconds()))
