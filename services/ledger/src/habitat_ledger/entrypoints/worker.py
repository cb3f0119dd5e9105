"""The ledger's worker process (`uvicorn --factory habitat_ledger.entrypoints.worker:create_worker`)."""

from __future__ import annotations

from faststream.asgi import AsgiFastStream
from faststream.rabbit import RabbitBroker
from habitat_common.contracts import (
    AllocationPostedV1,
    ContributionApprovedV1,
    ContributionsImportedV1,
    MemberRegisteredV1,
    MemberUpdatedV1,
    PeriodSealedV1,
)
from habitat_common.messaging.batching import BatchHandler
from habitat_common.messaging.consumer import Handler
from habitat_common.messaging.topology import Bindings, bind, subscription_of
from habitat_common.messaging.worker import build_worker

from habitat_ledger import bootstrap
from habitat_ledger.adapters.orm import dead_letter, inbox, member_change, outbox
from habitat_ledger.config import LedgerSettings
from habitat_ledger.entrypoints.consumers import (
    MEMBER_REGISTERED,
    MEMBER_UPDATED,
    UowFactory,
    allocation_posted_handler,
    contribution_approved_batch_handler,
    contributions_imported_handler,
    member_handler,
    period_sealed_handler,
)
from habitat_ledger.entrypoints.gauges import ledger_gauges

CONTRIBUTION_APPROVED = subscription_of(bootstrap.SERVICE, ContributionApprovedV1)


def consumers(uow_factory: UowFactory) -> Bindings[Handler, BatchHandler]:
    """Every subscription the topology declares for the ledger, with its handler (approvals in batches)."""
    return bind(
        bootstrap.SERVICE,
        {
            ContributionsImportedV1: contributions_imported_handler(uow_factory),
            PeriodSealedV1: period_sealed_handler(uow_factory),
            AllocationPostedV1: allocation_posted_handler(uow_factory),
            MemberRegisteredV1: member_handler(uow_factory, MEMBER_REGISTERED),
            MemberUpdatedV1: member_handler(uow_factory, MEMBER_UPDATED),
        },
        batch_handlers={ContributionApprovedV1: contribution_approved_batch_handler(uow_factory)},
    )


def create_worker(
    settings: LedgerSettings | None = None, broker: RabbitBroker | None = None
) -> AsgiFastStream:
    """Consumers, the outbox relay and the gauges read from the database, with /healthz, /readyz and /metrics."""
    ledger = bootstrap.build(settings, process="worker")
    bound = consumers(ledger.uow)
    return build_worker(
        service=bootstrap.SERVICE,
        rabbit=ledger.settings.rabbit,
        engine=ledger.engine,
        session_factory=ledger.session_factory,
        outbox=outbox,
        inbox=inbox,
        member_changes=member_change,
        messaging=ledger.settings.messaging,
        batch_handlers=bound.batch_handlers,
        batching=ledger.settings.batching,
        handlers=bound.handlers,
        broker=broker,
        background=[ledger_gauges(ledger.engine)],
        dead_letters=dead_letter,
    )
