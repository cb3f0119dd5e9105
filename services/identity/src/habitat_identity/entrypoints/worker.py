"""The identity worker (uvicorn --factory habitat_identity.entrypoints.worker:create_worker).

identity consumes no events; the worker relays the outbox to RabbitMQ and refreshes the gauges read from the database.
"""

from __future__ import annotations

from faststream.asgi import AsgiFastStream
from habitat_common.db import make_engine, make_sessionmaker
from habitat_common.messaging.worker import build_worker
from habitat_common.telemetry import configure_logging, configure_tracing

from habitat_identity.adapters.orm import inbox, outbox
from habitat_identity.bootstrap import get_settings
from habitat_identity.config import IdentitySettings
from habitat_identity.entrypoints.gauges import identity_gauges


def create_worker(settings: IdentitySettings | None = None) -> AsgiFastStream:
    """The outbox relay and the gauges refreshed from the database, with /healthz, /readyz and /metrics."""
    settings = settings or get_settings()
    configure_logging("identity-worker", settings.telemetry, process="worker")
    configure_tracing("identity-worker", settings.telemetry)
    engine = make_engine(settings.database, service="identity")
    return build_worker(
        service="identity",
        rabbit=settings.rabbit,
        engine=engine,
        session_factory=make_sessionmaker(engine),
        outbox=outbox,
        inbox=inbox,
        messaging=settings.messaging,
        handlers=[],
        background=[identity_gauges(engine)],
    )
