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
from habitat_common.messaging.topology import Subscription
from habitat_common.messaging.worker import build_worker

from habitat_ledger import bootstrap
from habitat_ledger.adapters.orm import dead_letter, inbox, outbox
from habitat_ledger.config import LedgerSettings
from habitat_ledger.entrypoints.consumers import (
    MEMBER_REGISTERED,
    MEMBER_UPDATED,
    allocation_posted_handler,
    contribution_approved_batch_handler,
    contributions_imported_handler,
    member_handler,
    period_sealed_handler,
)
from habitat_ledger.entrypoints.gauges import ledger_gauges

CONTRIBUTION_APPROVED = Subscription("ledger", ContributionApprovedV1)
CONTRIBUTIONS_IMPORTED = Subscription("ledger", ContributionsImportedV1)
PERIOD_SEALED = Subscription("ledger", PeriodSealedV1)
ALLOCATION_POSTED_SUB = Subscription("ledger", AllocationPostedV1)
MEMBER_REGISTERED_SUB = Subscription("ledger", MemberRegisteredV1)
MEMBER_UPDATED_SUB = Subscription("ledger", MemberUpdatedV1)


def create_worker(
    settings: LedgerSettings | None = None, broker: RabbitBroker | None = None
) -> AsgiFastStream:
    """Consumers, the outbox relay and the gauges read from the database, with /healthz, /readyz and /metrics."""
    ledger = bootstrap.build(settings, process="worker")
    return build_worker(
        service=bootstrap.SERVICE,
        rabbit=ledger.settings.rabbit,
        engine=ledger.engine,
        session_factory=ledger.session_factory,
        outbox=outbox,
        inbox=inbox,
        messaging=ledger.settings.messaging,
        batch_handlers=[(CONTRIBUTION_APPROVED, contribution_approved_batch_handler(ledger.uow))],
        batching=ledger.settings.batching,
        handlers=[
            (CONTRIBUTIONS_IMPORTED, contributions_imported_handler(ledger.uow)),
            (PERIOD_SEALED, period_sealed_handler(ledger.uow)),
            (ALLOCATION_POSTED_SUB, allocation_posted_handler(ledger.uow)),
            (MEMBER_REGISTERED_SUB, member_handler(ledger.uow, MEMBER_REGISTERED)),
            (MEMBER_UPDATED_SUB, member_handler(ledger.uow, MEMBER_UPDATED)),
        ],
        broker=broker,
        background=[ledger_gauges(ledger.engine)],
        dead_letters=dead_letter,
    )
