"""The worker's dead-letter keeper: takes what dies in the service's work queues into its dead_letter table,
replays what an operator asked for through the consumer's retry exchange, and keeps the habitat_dead_letters
gauge per queue."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from faststream import AckPolicy
from faststream.rabbit import QueueType, RabbitBroker, RabbitQueue
from faststream.rabbit.annotations import RabbitMessage

from habitat_common.messaging import dead_letter_rules as rules
from habitat_common.messaging.dead_letter_store import DeadLetterStore
from habitat_common.messaging.polling import PollingTask
from habitat_common.messaging.retry import RETRY_HEADERS
from habitat_common.messaging.topology import Subscription, dead_letter_queue, retry_exchange
from habitat_common.metrics import DEAD_LETTERS

log = logging.getLogger(__name__)

UNAVAILABLE_PAUSE_SECONDS = 5.0
REPLAY_BATCH = 50


async def refresh_gauge(store: DeadLetterStore, queues: Sequence[str]) -> None:
    """Set the gauge of every queue (zero when it has none) from the table: replays and discards happen in
    the HTTP process, so the worker reads the truth rather than counting."""
    counts = await store.counts_by_queue()
    for queue in queues:
        DEAD_LETTERS.labels(queue).set(counts.get(queue, 0))


def _queue_of(subscription: Subscription, *, declare: bool) -> RabbitQueue:
    if declare:
        return dead_letter_queue(subscription)
    return RabbitQueue(subscription.dead_letter_queue_name, declare=False, queue_type=QueueType.QUORUM, durable=True)


async def _raw(message: RabbitMessage) -> bytes:
    # a dead letter may be anything (not JSON although it says so): it is kept as the bytes it is
    return message.body


def keep_dead_letters(
    broker: RabbitBroker,
    subscriptions: Sequence[Subscription],
    store: DeadLetterStore,
    *,
    declare: bool = True,
    unavailable_pause_seconds: float = UNAVAILABLE_PAUSE_SECONDS,
) -> None:
    """Consume each subscription's dead-letter queue: a message is acked only once its row is committed. While
    that fails (database down) it is nacked after a pause and stays in the queue."""
    queues = [s.queue_name for s in subscriptions]
    for subscription in subscriptions:
        _keep(broker, subscription, store, queues, declare=declare, pause=unavailable_pause_seconds)


def _keep(
    broker: RabbitBroker, subscription: Subscription, store: DeadLetterStore, queues: list[str], *,
    declare: bool, pause: float,
) -> None:
    @broker.subscriber(_queue_of(subscription, declare=declare), ack_policy=AckPolicy.NACK_ON_ERROR, decoder=_raw)
    async def keep(body: bytes, message: RabbitMessage) -> None:
        """Record the death of a message from the work queue, then let it be acked."""
        death = rules.read_death(
            subscription.queue_name, message.body, message.headers, message_id=message.message_id,
            content_type=message.content_type,
        )
        try:
            written = await store.record(death)
            if written:
                await refresh_gauge(store, queues)
        except Exception:
            log.exception("keeping a dead letter of %s failed; nacked, retried in %.0f s", subscription.queue_name, pause)
            await asyncio.sleep(pause)  # the dead-letter queue has no delivery limit: do not spin through it
            raise
        log.warning(
            "dead letter in %s (event %s %s): %s", subscription.queue_name, death.event_type, death.event_id,
            death.reason,
        )


def replayer(
    service: str,
    broker: RabbitBroker,
    subscriptions: Sequence[Subscription],
    store: DeadLetterStore,
    *,
    declare: bool = True,
    interval_seconds: float = 0.2,
) -> PollingTask:
    """The loop that publishes letters whose replay was asked for to their consumer's retry exchange, routed to
    their own work queue only (never habitat.events, which would hand them to every consumer), with publisher
    confirms; it refreshes the gauge every second."""
    queues = [s.queue_name for s in subscriptions]
    exchanges = {s.queue_name: retry_exchange(s.consumer, declare=declare) for s in subscriptions}

    async def publish(row) -> None:
        exchange = exchanges.get(row.queue)
        if exchange is None:  # a queue this worker no longer consumes: leave it asked for, and say so
            raise rules.UnknownQueue(f"{row.queue} is not a work queue of {service}")
        await broker.publish(
            row.body, exchange=exchange, routing_key=row.queue,
            headers=rules.replay_headers(row.headers, row.id, drop=RETRY_HEADERS),
            message_id=row.message_id, content_type=row.content_type, persist=True, mandatory=True,
        )
        log.info("dead letter %s replayed to %s", row.id, row.queue)

    async def step() -> int:
        done = await store.replay_batch(publish, limit=REPLAY_BATCH)
        if done:
            await refresh_gauge(store, queues)
        return done

    async def measure() -> None:
        await refresh_gauge(store, queues)

    return PollingTask(
        f"{service}-dead-letter-replay", step, interval_seconds=interval_seconds, batch_size=REPLAY_BATCH,
        measure=measure,
    )
