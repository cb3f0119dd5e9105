"""RabbitMQ topology: one topic exchange, a quorum queue per consumer and event, delayed retry queues,
dead-letter queues."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from faststream.rabbit import ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue

from habitat_common.contracts import (
    AllocationPostedV1,
    AllocationSharePostedV1,
    ContributionApprovedV1,
    ContributionClarificationRequestedV1,
    ContributionRejectedV1,
    ContributionsImportedV1,
    ContributionSubmittedV1,
    InvitationIssuedV1,
    MemberDeactivatedV1,
    MemberRegisteredV1,
    MemberUpdatedV1,
    NewDeviceSignedInV1,
    PasswordResetRequestedV1,
    PeriodClosedV1,
    PeriodClosingV1,
    PeriodOpenedV1,
    PeriodSealedV1,
)
from habitat_common.contracts.envelope import Contract
from habitat_common.messaging.retry_schedule import DEFAULT_RETRY_DELAYS_SECONDS

EVENTS = RabbitExchange("habitat.events", type=ExchangeType.TOPIC, durable=True)
DEAD_LETTERS = RabbitExchange("habitat.dead-letter", type=ExchangeType.DIRECT, durable=True)
RETRY_PREFIX = "habitat.retry"
DEFAULT_RETRY_TIERS = len(DEFAULT_RETRY_DELAYS_SECONDS)


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

    def retry_queue_name(self, retry: int) -> str:
        """Where the message waits before retry number `retry` (1-based)."""
        return f"{self.queue_name}.retry.{retry}"


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
    Subscription("ledger", AllocationPostedV1),
    Subscription("ledger", MemberRegisteredV1),
    Subscription("ledger", MemberUpdatedV1),
    Subscription("notifications", MemberRegisteredV1),
    Subscription("notifications", MemberUpdatedV1),
    Subscription("notifications", MemberDeactivatedV1),
    Subscription("notifications", InvitationIssuedV1),
    Subscription("notifications", PasswordResetRequestedV1),
    Subscription("notifications", NewDeviceSignedInV1),
    Subscription("notifications", ContributionApprovedV1),
    Subscription("notifications", ContributionRejectedV1),
    Subscription("notifications", ContributionClarificationRequestedV1),
    Subscription("notifications", AllocationSharePostedV1),
    Subscription("notifications", ContributionSubmittedV1),
    Subscription("notifications", PeriodOpenedV1),
    Subscription("notifications", PeriodClosingV1),
    Subscription("notifications", PeriodClosedV1),
)


H = TypeVar("H")
B = TypeVar("B")


class TopologyMismatch(ValueError):
    """A worker's handlers and the subscriptions SUBSCRIPTIONS declares for it differ."""


def subscriptions_of(consumer: str) -> tuple[Subscription, ...]:
    """The consumer's subscriptions, in the order SUBSCRIPTIONS declares them."""
    return tuple(subscription for subscription in SUBSCRIPTIONS if subscription.consumer == consumer)


def subscription_of(consumer: str, contract: type[Contract]) -> Subscription:
    """The consumer's declared subscription to contract; TopologyMismatch when SUBSCRIPTIONS has none."""
    for subscription in subscriptions_of(consumer):
        if subscription.contract is contract:
            return subscription
    raise TopologyMismatch(f"{consumer} has no subscription to {contract.routing_key()} in SUBSCRIPTIONS")


@dataclass(frozen=True)
class Bindings(Generic[H, B]):
    """A consumer's declared subscriptions, each with its handler: applied one delivery at a time, or in batches."""

    handlers: tuple[tuple[Subscription, H], ...]
    batch_handlers: tuple[tuple[Subscription, B], ...]


def bind(
    consumer: str, handlers: Mapping[type[Contract], H], batch_handlers: Mapping[type[Contract], B] | None = None
) -> Bindings[H, B]:
    """Pair each of the consumer's declared subscriptions with its handler (keyed by contract), in declared order;
    TopologyMismatch at start-up when a declared subscription has no handler, or a handler no declared
    subscription (or two, one per kind)."""
    batched = batch_handlers or {}
    declared = subscriptions_of(consumer)
    problems = [
        f"no handler for {s.queue_name}" for s in declared if s.contract not in handlers and s.contract not in batched
    ]
    known = {s.contract for s in declared}
    problems += [
        f"a handler for {consumer}.{contract.routing_key()}, which SUBSCRIPTIONS does not declare"
        for contract in [*handlers, *batched]
        if contract not in known
    ]
    problems += [
        f"both a handler and a batch handler for {consumer}.{contract.routing_key()}"
        for contract in handlers
        if contract in batched
    ]
    if problems:
        raise TopologyMismatch(
            f"{consumer}'s handlers differ from habitat_common.messaging.topology.SUBSCRIPTIONS: " + "; ".join(problems)
        )
    return Bindings(
        handlers=tuple((s, handlers[s.contract]) for s in declared if s.contract in handlers),
        batch_handlers=tuple((s, batched[s.contract]) for s in declared if s.contract in batched),
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


def retry_queue(subscription: Subscription, retry: int) -> RabbitQueue:
    """A delayed retry queue: nobody consumes it; each message sits out its own expiration (per-message TTL),
    then RabbitMQ dead-letters it back to the work queue. One queue per retry number, because an expired
    message only leaves from the head of its queue: in one queue for all, a 1 s retry would wait behind
    a 300 s one, while within a tier the expirations differ by the jitter only.

    Quorum, with at-least-once dead-lettering: a message leaves the retry queue only once its work queue has
    confirmed it. A classic queue dead-letters at most once, and the fault suite lost an approval that way —
    it expired while the broker was stopping (stop_app) and its way back to the work queue was dropped.
    At-least-once needs reject-publish overflow (RabbitMQ refuses it with the default drop-head)."""
    return RabbitQueue(
        subscription.retry_queue_name(retry),
        queue_type=QueueType.QUORUM,
        durable=True,
        routing_key=subscription.retry_queue_name(retry),
        arguments={
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": subscription.queue_name,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
    )


async def declare_topology(broker: RabbitBroker, *, delivery_limit: int, retry_tiers: int = DEFAULT_RETRY_TIERS) -> None:
    """Declare exchanges, every consumer queue, its retry_tiers delayed retry queues and its dead-letter queue
    (idempotent)."""
    events = await broker.declare_exchange(EVENTS)
    dead_letters = await broker.declare_exchange(DEAD_LETTERS)
    for subscription in SUBSCRIPTIONS:
        queue = await broker.declare_queue(consumer_queue(subscription, delivery_limit=delivery_limit))
        await queue.bind(events, routing_key=subscription.contract.routing_key())
        retries = await broker.declare_exchange(retry_exchange(subscription.consumer))
        await queue.bind(retries, routing_key=subscription.queue_name)
        for retry in range(1, retry_tiers + 1):
            tier = await broker.declare_queue(retry_queue(subscription, retry))
            await tier.bind(retries, routing_key=tier.name)
        dlq = await broker.declare_queue(dead_letter_queue(subscription))
        await dlq.bind(dead_letters, routing_key=subscription.queue_name)
        refusals = await broker.declare_exchange(refusals_exchange(subscription.consumer))
        await dlq.bind(refusals, routing_key=subscription.queue_name)
