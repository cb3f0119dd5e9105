"""The identity worker (uvicorn --factory habitat_identity.entrypoints.worker:create_worker).

identity consumes no events; the worker relays the outbox to RabbitMQ and refreshes the gauges read from the database.
"""

from __future__ import annotations

from faststream.asgi import AsgiFastStream
from habitat_common.messaging.worker import build_worker
from habitat_common.telemetry import configure_logging, configure_tracing

from habitat_identity import bootstrap
from habitat_identity.adapters.orm import inbox, member_change, outbox
from habitat_identity.config import IdentitySettings
from habitat_identity.entrypoints.gauges import identity_gauges


def create_worker(settings: IdentitySettings | None = None) -> AsgiFastStream:
    """The outbox relay and the gauges refreshed from the database, with /healthz, /readyz and /metrics."""
    container = bootstrap.build(settings)
    configure_logging("identity-worker", container.settings.telemetry, process="worker")
    configure_tracing("identity-worker", container.settings.telemetry)
    return build_worker(
        service="identity",
        rabbit=container.settings.rabbit,
        engine=container.engine,
        session_factory=container.session_factory,
        outbox=outbox,
        inbox=inbox,
        member_changes=member_change,
        messaging=container.settings.messaging,
        handlers=[],
        background=[identity_gauges(container.engine)],
    )
