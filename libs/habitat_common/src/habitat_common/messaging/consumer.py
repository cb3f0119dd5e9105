"""Registering idempotent consumers: decode the envelope, reject poison, nack failures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.rabbit import RabbitBroker
from faststream.rabbit.annotations import RabbitMessage
from pydantic import ValidationError

from habitat_common.contracts.envelope import Contract, Envelope
from habitat_common.db import is_database_unavailable
from habitat_common.faults import fault_point
from habitat_common.messaging.topology import Subscription, consumer_queue, events_exchange, refusals_exchange
from habitat_common.telemetry import EVENTS_CONSUMED, EVENTS_FAILED, correlation

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
) -> None:
    """Attach handle to the subscription's queue.

    handle returns True when the event had its effect and False for a duplicate. A payload that
    does not match the contract, or an envelope whose producer does not own the event type, is
    filed at once in its dead-letter queue with the reason (header x-habitat-dead-letter-reason); any other error is nacked so RabbitMQ redelivers it
    until the queue's delivery limit dead-letters it. declare=False: the queue exists already (provisioned
    topology) and the broker user may only consume from it. A failure because the database is unavailable
    is nacked only after unavailable_pause_seconds: the consumer pauses instead of spinning through its
    redeliveries.
    """
    event = subscription.contract.routing_key()
    owner = producer_of(subscription.contract)
    envelope_type = Envelope[subscription.contract]  # type: ignore[name-defined]
    refusals = refusals_exchange(subscription.consumer, declare=declare)

    async def refuse(message: RabbitMessage, reason: str) -> None:
        # published (confirmed) before this delivery is acked; should it fail, the delivery is nacked and
        # the queue's delivery limit dead-letters it the broker's way, without our reason
        headers = {**(message.headers or {}), REASON_HEADER: reason, QUEUE_HEADER: subscription.queue_name}
        await broker.publish(
            message.body, exchange=refusals, routing_key=subscription.queue_name, headers=headers,
            message_id=message.message_id, content_type=message.content_type, persist=True, mandatory=True,
        )

    @broker.subscriber(
        consumer_queue(subscription, delivery_limit=delivery_limit, declare=declare),
        events_exchange(declare=declare),
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )
    async def consume(body: Any, message: RabbitMessage) -> None:
        """Decode the envelope, then let the service's handler apply it once."""
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
                applied = await handle(envelope)
                fault_point("consumer.after_commit")  # committed, not yet acked: the fault suite's crash
            except Exception as error:
                if is_database_unavailable(error):
                    # hold the delivery (and, with every prefetched one held alike, the consumer) a while
                    # instead of spending the queue's delivery limit in milliseconds while PostgreSQL is down
                    EVENTS_FAILED.labels(subscription.consumer, event, "database_unavailable").inc()
                    log.warning(
                        "handling %s %s: database unavailable; nacked for redelivery in %.0f s",
                        event, envelope.event_id, unavailable_pause_seconds,
                    )  # fmt: skip
                    await asyncio.sleep(unavailable_pause_seconds)
                    raise
                EVENTS_FAILED.labels(subscription.consumer, event, "error").inc()
                log.exception("handling %s %s failed; nacked for redelivery", event, envelope.event_id)
                raise
            log.info("%s %s %s", "applied" if applied else "ignored duplicate", event, envelope.event_id)
        EVENTS_CONSUMED.labels(subscription.consumer, event, "applied" if applied else "duplicate").inc()
