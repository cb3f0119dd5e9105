"""Registering idempotent consumers: decode the envelope, file poison, retry failures later, bury the hopeless."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.rabbit import Channel, RabbitBroker
from faststream.rabbit.annotations import RabbitMessage
from pydantic import ValidationError

from habitat_common.contracts.envelope import Contract, Envelope
from habitat_common.db import is_database_unavailable
from habitat_common.faults import fault_failure, fault_point
from habitat_common.messaging.retry import (
    exhausted_reason,
    publish_confirmed,
    retries_done,
    retry_headers,
    utc_now,
)
from habitat_common.messaging.retry_schedule import DEFAULT_RETRY_SCHEDULE, RetrySchedule
from habitat_common.messaging.topology import (
    Subscription,
    consumer_queue,
    events_exchange,
    refusals_exchange,
    retry_exchange,
)
from habitat_common.metrics import EVENT_LAG, EVENTS_REDELIVERED, preinitialise
from habitat_common.telemetry import EVENTS_CONSUMED, EVENTS_FAILED, RETRIES_SCHEDULED, correlation

log = logging.getLogger(__name__)

Handler = Callable[[Envelope], Awaitable[bool]]
REASON_HEADER = "x-habitat-dead-letter-reason"
QUEUE_HEADER = "x-habitat-dead-letter-queue"
UNAVAILABLE_PAUSE_SECONDS = 5.0


def producer_of(contract: type[Contract]) -> str:
    """The only service that may publish the contract: the context its event type is named after."""
    return contract.EVENT_TYPE.partition(".")[0]


def subscribe(
    broker: RabbitBroker,
    subscription: Subscription,
    handle: Handler,
    *,
    delivery_limit: int,
    declare: bool = True,
    unavailable_pause_seconds: float = UNAVAILABLE_PAUSE_SECONDS,
    retry: RetrySchedule = DEFAULT_RETRY_SCHEDULE,
    channel: Channel | None = None,
) -> None:
    """Attach handle to the subscription's queue.

    handle returns True when the event had its effect and False for a duplicate. A payload that
    does not match the contract, or an envelope whose producer does not own the event type, is
    filed at once in its dead-letter queue with the reason (header x-habitat-dead-letter-reason). Any other
    error is retried later: the message goes to the delayed retry queue of its next retry (header
    x-habitat-retries counts them, x-habitat-last-error says why) with the retry schedule's jittered delay as
    its expiration, and only once the broker confirmed that is the delivery acked; when the schedule is spent
    it is filed in its dead-letter queue as retries_exhausted. Should the retry or the filing not be
    confirmed, the delivery is nacked and the queue's delivery limit remains the last resort. A failure
    because the database is unavailable waits unavailable_pause_seconds before that: the consumer pauses
    instead of spinning its prefetched deliveries through their retries. declare=False: the queues exist
    already (provisioned topology) and the broker user may only consume from them. channel: the subscriber's own
    channel (its prefetch) instead of the broker's default one.
    """
    event = subscription.contract.routing_key()
    owner = producer_of(subscription.contract)
    _preinitialise(subscription.consumer, event)
    envelope_type = Envelope[subscription.contract]  # type: ignore[name-defined]
    refusals = refusals_exchange(subscription.consumer, declare=declare)
    retries = retry_exchange(subscription.consumer, declare=declare)

    async def refuse(message: RabbitMessage, reason: str) -> None:
        # published (confirmed) before this delivery is acked; should it fail, the delivery is nacked and
        # the queue's delivery limit dead-letters it the broker's way, without our reason
        headers = {**(message.headers or {}), REASON_HEADER: reason, QUEUE_HEADER: subscription.queue_name}
        await publish_confirmed(
            broker, message.body, exchange=refusals, routing_key=subscription.queue_name, headers=headers,
            message_id=message.message_id, content_type=message.content_type,
        )

    async def retry_later(message: RabbitMessage, envelope: Envelope, error: Exception) -> None:
        # published (confirmed) before this delivery is acked, like a refusal
        done, now = retries_done(message.headers), utc_now()
        if retry.exhausted(done):
            reason = exhausted_reason(message.headers, error, now)
            await refuse(message, reason)
            EVENTS_FAILED.labels(subscription.consumer, event, "retries_exhausted").inc()
            log.error("%s %s dead-lettered: %s", event, envelope.event_id, reason)
            return
        delay = retry.delay_seconds(done + 1)
        await publish_confirmed(
            broker, message.body, exchange=retries, routing_key=subscription.retry_queue_name(done + 1),
            headers=retry_headers(message.headers, error, now), expiration=delay,
            message_id=message.message_id, content_type=message.content_type,
        )
        RETRIES_SCHEDULED.labels(subscription.consumer, event).inc()
        log.warning("%s %s: retry %d of %d in %.1f s", event, envelope.event_id, done + 1, retry.retries, delay)

    @broker.subscriber(
        consumer_queue(subscription, delivery_limit=delivery_limit, declare=declare),
        events_exchange(declare=declare),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        channel=channel,
    )
    async def consume(body: Any, message: RabbitMessage) -> None:
        """Decode the envelope, then let the service's handler apply it once."""
        if retries_done(message.headers) or getattr(message.raw_message, "redelivered", False):
            EVENTS_REDELIVERED.labels(subscription.consumer, event).inc()
        try:
            envelope = envelope_type.model_validate_json(message.body)
        except ValidationError as error:
            EVENTS_FAILED.labels(subscription.consumer, event, "malformed").inc()
            log.error("malformed %s message %s rejected: %s", event, message.message_id, error.errors()[:3])
            first = error.errors()[0] if error.errors() else {}
            where = ".".join(str(part) for part in first.get("loc", ()))
            await refuse(message, f"malformed: not a {event} envelope ({where}: {first.get('msg', 'invalid')})")
            return
        if envelope.producer != owner:
            EVENTS_FAILED.labels(subscription.consumer, event, "wrong_producer").inc()
            log.error(
                "%s %s from producer %r rejected: only %r publishes it",
                event, envelope.event_id, envelope.producer, owner,
            )
            await refuse(message, f"wrong_producer: {envelope.producer!r} published {event}, only {owner!r} may")
            return
        with correlation(envelope.correlation_id):
            try:
                if not retries_done(message.headers):  # the fault suite: a first delivery fails, its retry does not
                    fault_failure("consumer.first_delivery")
                applied = await handle(envelope)
                fault_point("consumer.after_commit")  # committed, not yet acked: the fault suite's crash
            except Exception as error:
                if is_database_unavailable(error):
                    # hold the delivery (and, with every prefetched one held alike, the consumer) a while
                    # instead of churning the prefetch through retries in milliseconds while PostgreSQL is down
                    EVENTS_FAILED.labels(subscription.consumer, event, "database_unavailable").inc()
                    log.warning(
                        "handling %s %s: database unavailable; retried after a %.0f s pause",
                        event, envelope.event_id, unavailable_pause_seconds,
                    )  # fmt: skip
                    await asyncio.sleep(unavailable_pause_seconds)
                else:
                    EVENTS_FAILED.labels(subscription.consumer, event, "error").inc()
                    log.exception("handling %s %s failed", event, envelope.event_id)
                await retry_later(message, envelope, error)
                return
            log.info("%s %s %s", "applied" if applied else "ignored duplicate", event, envelope.event_id)
        EVENTS_CONSUMED.labels(subscription.consumer, event, "applied" if applied else "duplicate").inc()
        if applied:
            lag = (utc_now() - envelope.occurred_at).total_seconds()
            EVENT_LAG.labels(subscription.consumer, event).observe(max(lag, 0.0))


FAILURE_REASONS = ("retries_exhausted", "malformed", "wrong_producer", "database_unavailable", "error")


def _preinitialise(consumer: str, event: str) -> None:
    """The consumer's series at 0 before its first delivery, so a rate or increase over them is 0, not empty."""
    preinitialise(EVENTS_CONSUMED, [consumer], [event], ["applied", "duplicate"])
    preinitialise(EVENTS_FAILED, [consumer], [event], FAILURE_REASONS)
    for metric in (EVENT_LAG, EVENTS_REDELIVERED, RETRIES_SCHEDULED):
        preinitialise(metric, [consumer], [event])
