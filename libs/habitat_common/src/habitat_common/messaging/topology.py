"""RabbitMQ topology: one topic exchange, a quorum queue per consumer and event, dead-letter queues."""

from __future__ import annotations

from dataclasses import dataclass

from faststream.rabbit import ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue

from habitat_common.contracts import (
    ContributionApprovedV1,
    ContributionsImportedV1,
    MemberDeactivatedV1,
    MemberRegisteredV1,
    MemberUpdatedV1,
    PeriodClosedV1,
    PeriodClosingV1,
    PeriodOpenedV1,
    PeriodSealedV1,
)
from habitat_common.contracts.envelope import Contract

EVENTS = RabbitExchange("habitat.events", type=ExchangeType.TOPIC, durable=True)
DEAD_LETTERS = RabbitExchange("habitat.dead-letter", type=ExchangeType.DIRECT, durable=True)
RETRY_PREFIX = "habitat.retry"


def refusals_exchange(consumer: str, *, declare: bool = True) -> RabbitExchange:
    """Where a consumer files what it refuses (malformed, wrong producer) with its reason: bound to that
    consumer's dead-letter queues only, so a service can write into its own and no other's."""
    return RabbitExchange(f"{DEAD_LETTERS.name}.{consumer}", type=ExchangeType.DIRECT, durable=True, declare=declare)


def retry_exchange(consumer: str, *, declare: bool = True) -> RabbitExchange:
    """Where a consumer puts a message back for later: each of its work queues is bound under its own name
    (a replay goes straight back), each delayed retry queue under its own name (a retry waits there first)."""
    return RabbitExchange(f"{RETRY_PREFIX}.{consumer}", type=ExchangeType.DIRECT, durable=True, declare=declare)


def events_exchange(*, declare: bool = True) -> RabbitExchange:
    """EVENTS, or the same exchange only looked up (passively), for a broker user that may not declare it."""
    return EVENTS if declare else RabbitExchange(EVENTS.name, type=EVENTS.type, durable=True, declare=False)


@dataclass(frozen=True)
class Subscription:
    consumer: str
    contract: type[Contract]

    @property
    def queue_name(self) -> str:
        return f"{self.consumer}.{self.contract.routing_key()}"

    @property
    def dead_letter_queue_name(self) -> str:
        return f"{self.queue_name}.dlq"


# Every consumer queue of the system, declared by every worker at start-up so that an event
# published before its consumer first runs is still routed and kept.
SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription("contributions", MemberRegisteredV1),
    Subscription("contributions", MemberUpdatedV1),
    Subscription("contributions", MemberDeactivatedV1),
    Subscription("contributions", PeriodOpenedV1),
    Subscription("contributions", PeriodClosingV1),
    Subscription("contributions", PeriodClosedV1),
    Subscription("ledger", ContributionApprovedV1),
    Subscription("ledger", ContributionsImportedV1),
    Subscription("ledger", PeriodSealedV1),
    Subscription("ledger", MemberRegisteredV1),
    Subscription("ledger", MemberUpdatedV1),
)


def consumer_queue(subscription: Subscription, *, delivery_limit: int, declare: bool = True) -> RabbitQueue:
    """The subscription's queue; declare=False only looks it up (and leaves its binding to whoever declared it)."""
    return RabbitQueue(
        subscription.queue_name,
        declare=declare,
        queue_type=QueueType.QUORUM,
        durable=True,
        routing_key=subscription.contract.routing_key(),
        arguments={
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": DEAD_LETTERS.name,
            "x-dead-letter-routing-key": subscription.queue_name,
        },
    )


def dead_letter_queue(subscription: Subscription) -> RabbitQueue:
    return RabbitQueue(
        subscription.dead_letter_queue_name,
        queue_type=QueueType.QUORUM,
        durable=True,
        routing_key=subscription.queue_name,
    )


async def declare_topology(broker: RabbitBroker, *, delivery_limit: int) -> None:
    """Declare exchanges, every consumer queue and its dead-letter queue (idempotent)."""
    events = await broker.declare_exchange(EVENTS)
    dead_letters = await broker.declare_exchange(DEAD_LETTERS)
    for subscription in SUBSCRIPTIONS:
        queue = await broker.declare_queue(consumer_queue(subscription, delivery_limit=delivery_limit))
        await queue.bind(events, routing_key=subscription.contract.routing_key())
        retries = await broker.declare_exchange(retry_exchange(subscription.consumer))
        await queue.bind(retries, routing_key=subscription.queue_name)
        dlq = await broker.declare_queue(dead_letter_queue(subscription))
        await dlq.bind(dead_letters, routing_key=subscription.queue_name)
        refusals = await broker.declare_exchange(refusals_exchange(subscription.consumer))
        await dlq.bind(refusals, routing_key=subscription.queue_name)
