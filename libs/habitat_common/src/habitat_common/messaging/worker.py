"""The worker process of a service: consumers plus the outbox relay, with health and metrics routes."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from faststream.asgi import AsgiFastStream
from faststream.rabbit import Channel, RabbitBroker
from faststream.rabbit.opentelemetry import RabbitTelemetryMiddleware
from faststream.rabbit.prometheus import RabbitPrometheusMiddleware
from prometheus_client import REGISTRY
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from habitat_common.db import database_is_reachable
from habitat_common.messaging.batching import BatchHandler, BatchSettings, subscribe_batches
from habitat_common.messaging.consumer import Handler, subscribe
from habitat_common.messaging.dead_letter_store import DeadLetterStore
from habitat_common.messaging.dead_letters import keep_dead_letters, replayer
from habitat_common.messaging.polling import PollingTask
from habitat_common.messaging.pruning import MessagingPruner
from habitat_common.messaging.relay import OutboxRelay
from habitat_common.messaging.topology import Subscription, declare_topology, events_exchange
from habitat_common.runtime import settle_startup_objects
from habitat_common.settings import MessagingSettings, RabbitSettings
from habitat_common.web.observability import health_router


def make_broker(settings: RabbitSettings) -> RabbitBroker:
    """A broker with tracing (context in message headers) and Prometheus middlewares; each consumer holds at
    most settings.prefetch_count unacknowledged deliveries (handled concurrently)."""
    return RabbitBroker(
        settings.url.get_secret_value(),
        default_channel=Channel(prefetch_count=settings.prefetch_count),
        middlewares=(
            RabbitTelemetryMiddleware(),
            RabbitPrometheusMiddleware(registry=REGISTRY, app_name="habitat"),
        ),
        logger=None,
    )


def build_worker(
    *,
    service: str,
    rabbit: RabbitSettings,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    outbox: Table,
    handlers: Sequence[tuple[Subscription, Handler]],
    broker: RabbitBroker | None = None,
    background: Sequence[PollingTask] = (),
    dead_letters: Table | None = None,
    inbox: Table | None = None,
    messaging: MessagingSettings | None = None,
    batch_handlers: Sequence[tuple[Subscription, BatchHandler]] = (),
    batching: BatchSettings | None = None,
    member_changes: Table | None = None,
) -> AsgiFastStream:
    """Compose consumers, relay, the service's own background loops and /healthz, /readyz, /metrics into one
    ASGI worker app; each loop is a readiness check under its name. With a dead_letters table, the worker also
    keeps its consumers' dead letters there and replays those an operator asks for. The outbox's published rows
    and the inbox's rows are pruned past messaging.retention_days (dead letters never are), the member change
    feed's past an hour. batch_handlers apply
    their deliveries in batches (batching: how many, how long gathered)."""
    broker = broker or make_broker(rabbit)
    for subscription, handle in handlers:
        subscribe(
            broker, subscription, handle, delivery_limit=rabbit.delivery_limit, declare=rabbit.declare_topology,
            retry=rabbit.retry_schedule,
        )
    for subscription, handle_batch in batch_handlers:
        subscribe_batches(
            broker, subscription, handle_batch, batching=batching or BatchSettings(),
            delivery_limit=rabbit.delivery_limit, declare=rabbit.declare_topology, retry=rabbit.retry_schedule,
        )
    subscriptions = [subscription for subscription, _ in (*handlers, *batch_handlers)]
    if dead_letters is not None and subscriptions:
        store = DeadLetterStore(session_factory, dead_letters)
        keep_dead_letters(broker, subscriptions, store, declare=rabbit.declare_topology)
        background = [*background, replayer(service, broker, subscriptions, store, declare=rabbit.declare_topology)]
    relay = OutboxRelay(
        service=service,
        broker=broker,
        session_factory=session_factory,
        table=outbox,
        interval_seconds=rabbit.relay_interval_seconds,
        batch_size=rabbit.relay_batch_size,
        exchange=events_exchange(declare=rabbit.declare_topology),
    )

    pruner = MessagingPruner(
        service=service, session_factory=session_factory,
        tables=[outbox, *(table for table in (inbox, member_changes) if table is not None)],
        settings=messaging or MessagingSettings(),
    )
    background = [*background, pruner]

    async def broker_ok() -> bool:
        return await broker.ping(timeout=2.0)

    async def database_ok() -> bool:
        return await database_is_reachable(engine)

    probes = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    checks = {"database": database_ok, "broker": broker_ok, "outbox_relay": _running(relay)}
    for task in background:
        checks[task.name] = _running(task)
    probes.include_router(health_router(checks))

    async def declare() -> None:
        await broker.connect()
        if rabbit.declare_topology:
            # over a connection of its own: a broker keeps each queue it declared with the channel it used, and a
            # batching subscriber would then consume on that channel (the default prefetch) instead of its own
            declarer = RabbitBroker(rabbit.url.get_secret_value(), logger=None)
            await declarer.connect()
            try:
                await declare_topology(
                    declarer, delivery_limit=rabbit.delivery_limit, retry_tiers=rabbit.retry_schedule.retries
                )
            finally:
                await declarer.stop()
        settle_startup_objects()

    async def start_loops() -> None:
        await relay.start()
        for task in background:
            await task.start()

    async def shutdown() -> None:
        await relay.stop()
        for task in background:
            await task.stop()
        await engine.dispose()

    return AsgiFastStream(
        broker,
        asgi_routes=[(path, probes) for path in ("/health", "/healthz", "/readyz", "/metrics")],
        on_startup=[declare],
        after_startup=[start_loops],
        on_shutdown=[shutdown],
        logger=None,
    )


def _running(loop: OutboxRelay | PollingTask | MessagingPruner):
    async def check() -> bool:
        return loop.is_running()

    return check
