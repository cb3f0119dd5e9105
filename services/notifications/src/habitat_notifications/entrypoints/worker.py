"""The notifications worker: consumers that keep the replicas and write mail, the sender loop, the reminder
scheduler, the gauges, and the (idle) outbox relay."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from faststream.asgi import AsgiFastStream
from faststream.rabbit import RabbitBroker

from habitat_common.contracts import (
    AllocationSharePostedV1,
    ContributionApprovedV1,
    ContributionClarificationRequestedV1,
    ContributionRejectedV1,
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
)
from habitat_common.messaging.batching import BatchHandler
from habitat_common.messaging.idempotent import idempotent_batch
from habitat_common.messaging.polling import PollingTask
from habitat_common.messaging.topology import Subscription, bind
from habitat_common.messaging.worker import build_worker
from habitat_common.metrics import MAIL_OUTCOMES, NOTIFICATIONS_MESSAGES, preinitialise
from habitat_common.telemetry import configure_logging, configure_tracing
from habitat_notifications import bootstrap
from habitat_notifications.adapters import orm, translators
from habitat_notifications.domain.kinds import Kind
from habitat_notifications.domain.messages import Message
from habitat_notifications.entrypoints.gauges import notifications_gauges
from habitat_notifications.entrypoints.scheduler import ReminderScheduler
from habitat_notifications.service_layer import mailing, replicas, sending

SERVICE = bootstrap.SERVICE


def count_queued(written: list[Message]) -> None:
    """Count the mail an event queued, once its transaction has committed."""
    for message in written:
        NOTIFICATIONS_MESSAGES.labels(message.kind, "queued").inc()


def consumers(container: bootstrap.Container) -> Sequence[tuple[Subscription, BatchHandler]]:
    """Every subscription the topology declares for this service, with its idempotent handler, applied in batches:
    under intake load an event a transaction (claim, effect, commit) was most of this worker's time."""
    uow, room = container.uow, container.mailroom
    member = (translators.record_member, replicas.record_member)
    link = (translators.mail_link, partial(mailing.mail_link, mailroom=room))
    new_device = (translators.mail_new_device, partial(mailing.mail_new_device, mailroom=room))
    decision = (translators.mail_decision, partial(mailing.mail_decision, mailroom=room))
    allocation = (translators.mail_allocation_posted, partial(mailing.mail_allocation_posted, mailroom=room))
    period = (translators.record_period, replicas.record_period)
    submission = (translators.record_submission, replicas.record_contribution)
    table: list[tuple[Any, str, tuple]] = [
        (MemberRegisteredV1, "member_registered", member),
        (MemberUpdatedV1, "member_updated", member),
        (MemberDeactivatedV1, "member_deactivated", member),
        (InvitationIssuedV1, "invitation_issued", link),
        (PasswordResetRequestedV1, "password_reset_requested", link),
        (NewDeviceSignedInV1, "new_device_signed_in", new_device),
        (ContributionApprovedV1, "contribution_approved", decision),
        (ContributionRejectedV1, "contribution_rejected", decision),
        (ContributionClarificationRequestedV1, "clarification_requested", decision),
        (AllocationSharePostedV1, "allocation_share_posted", allocation),
        (ContributionSubmittedV1, "contribution_submitted", submission),
        (PeriodOpenedV1, "period_opened", period),
        (PeriodClosingV1, "period_closing", period),
        (PeriodClosedV1, "period_closed", period),
    ]
    handlers = {
        contract: idempotent_batch(f"{SERVICE}.{name}", *pair, uow, after_commit=count_queued)
        for contract, name, pair in table
    }
    return bind(SERVICE, {}, batch_handlers=handlers).batch_handlers


def sender(container: bootstrap.Container) -> PollingTask:
    """The loop that sends due mail (several workers share it: each message is locked while it is sent)."""
    settings = container.settings.sender
    policy = settings.policy()
    preinitialise(NOTIFICATIONS_MESSAGES, [str(k) for k in Kind], MAIL_OUTCOMES)

    async def step() -> int:
        outcomes = await sending.send_due(
            container.uow, container.mailer, policy, container.clock, limit=settings.batch_size
        )
        for outcome in outcomes:
            NOTIFICATIONS_MESSAGES.labels(outcome.kind, outcome.status).inc()
        return len(outcomes)

    return PollingTask(
        f"{SERVICE}-sender", step, interval_seconds=settings.interval_seconds, batch_size=settings.batch_size
    )


def create_worker(broker: RabbitBroker | None = None) -> AsgiFastStream:
    """Worker app: consumers, the sender loop, the reminder scheduler, the gauges, the outbox relay, /healthz,
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
        messaging=settings.messaging,
        handlers=(),
        batch_handlers=consumers(container),
        batching=settings.batching,
        broker=broker,
        background=[
            sender(container),
            ReminderScheduler(container),
            notifications_gauges(container.engine, clock=container.clock),
        ],
        dead_letters=orm.dead_letter,
    )
