"""The contributions worker: replica consumers (members, periods), the outbox relay and the loop that puts
committed imports' events into the outbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from faststream.asgi import AsgiFastStream
from faststream.rabbit import RabbitBroker

from habitat_common.contracts import (
    MemberDeactivatedV1,
    MemberRegisteredV1,
    MemberUpdatedV1,
    PeriodClosedV1,
    PeriodClosingV1,
    PeriodOpenedV1,
)
from habitat_common.messaging.consumer import Handler
from habitat_common.messaging.idempotent import idempotent
from habitat_common.messaging.polling import PollingTask
from habitat_common.messaging.topology import Subscription, bind
from habitat_common.messaging.worker import build_worker
from habitat_common.telemetry import IMPORT_EVENTS_LAG, IMPORT_EVENTS_PENDING, configure_logging, configure_tracing
from habitat_contributions import bootstrap
from habitat_contributions.adapters import orm, translators
from habitat_contributions.entrypoints.gauges import contributions_gauges
from habitat_contributions.service_layer import importing, replicas
from habitat_contributions.service_layer.ports import UnitOfWork

SERVICE = "contributions"
IMPORT_EVENTS_PER_TRANSACTION = 8  # of up to 1,000 contributions each


def consumers(uow_factory: Callable[[], UnitOfWork]) -> Sequence[tuple[Subscription, Handler]]:
    """Every subscription the topology declares for this service, with its idempotent handler."""
    member = (translators.record_member, replicas.record_member)
    return bind(
        SERVICE,
        {
            MemberRegisteredV1: idempotent(f"{SERVICE}.member_registered", *member, uow_factory),
            MemberUpdatedV1: idempotent(f"{SERVICE}.member_updated", *member, uow_factory),
            MemberDeactivatedV1: idempotent(f"{SERVICE}.member_deactivated", *member, uow_factory),
            PeriodOpenedV1: idempotent(
                f"{SERVICE}.period_opened", translators.record_period, replicas.record_period, uow_factory
            ),
            PeriodClosingV1: idempotent(
                f"{SERVICE}.period_closing", translators.record_period, replicas.seal_period, uow_factory
            ),
            PeriodClosedV1: idempotent(
                f"{SERVICE}.period_closed", translators.mark_period_closed, replicas.mark_period_closed, uow_factory
            ),
        },
    ).handlers


def import_announcer(container: bootstrap.Container) -> PollingTask:
    """The loop that writes committed imports' events to the outbox (importing.announce_imports)."""
    events = container.import_events()

    async def step() -> int:
        return await importing.announce_imports(events, batches=IMPORT_EVENTS_PER_TRANSACTION)

    async def measure() -> None:
        pending, lag = await importing.import_events_backlog(events)
        IMPORT_EVENTS_PENDING.labels(SERVICE).set(pending)
        IMPORT_EVENTS_LAG.labels(SERVICE).set(lag)

    return PollingTask(
        f"{SERVICE}-import-events",
        step,
        interval_seconds=container.settings.rabbit.relay_interval_seconds,
        batch_size=IMPORT_EVENTS_PER_TRANSACTION,
        measure=measure,
    )


def create_worker(broker: RabbitBroker | None = None) -> AsgiFastStream:
    """Worker app: consumers, outbox relay, the import events loop, the gauges read from the database, /healthz,
    /readyz, /metrics."""
    container = bootstrap.build()
    settings = container.settings
    configure_logging(SERVICE, settings.telemetry, process="worker")
    configure_tracing(SERVICE, settings.telemetry)
    return build_worker(
        service=SERVICE,
        rabbit=settings.rabbit,
        engine=container.engine,
        session_factory=container.session_factory,
        outbox=orm.outbox,
        inbox=orm.inbox,
        member_changes=orm.member_change,
        messaging=settings.messaging,
        handlers=consumers(container.uow),
        broker=broker,
        background=[import_announcer(container), contributions_gauges(container.engine, zone=settings.coop.zone)],
        dead_letters=orm.dead_letter,
    )
