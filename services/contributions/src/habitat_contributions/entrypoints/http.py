"""The contributions HTTP API (FastAPI). It never talks to RabbitMQ: events go through the outbox."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from habitat_common.auth import TokenVerifier
from habitat_common.db import database_is_reachable
from habitat_common.messaging.dead_letter_store import DeadLetterStore
from habitat_common.messaging.probe import broker_is_reachable
from habitat_common.metrics import (
    CHANNELS,
    CONTRIBUTIONS_DECIDED,
    CONTRIBUTIONS_SUBMITTED,
    preinitialise,
    preinitialise_imports,
)
from habitat_common.revocation import revocation_feed_for
from habitat_common.runtime import settle_startup_objects
from habitat_common.telemetry import configure_logging, configure_tracing
from habitat_common.web.caching import install_no_store
from habitat_common.web.dead_letters import dead_letters_router
from habitat_common.web.errors import install_domain_errors, install_error_handlers
from habitat_common.web.observability import install_observability
from habitat_contributions import bootstrap
from habitat_contributions.adapters import orm
from habitat_contributions.config import ContributionsSettings
from habitat_contributions.domain import errors
from habitat_contributions.domain.model import ContributionStatus, ContributionType
from habitat_contributions.entrypoints import (
    routes_admin,
    routes_contributions,
    routes_intake,
    routes_rate_card,
    routes_review,
)
from habitat_contributions.entrypoints.dependencies import admin_principal

SERVICE = "contributions"


def create_app(settings: ContributionsSettings | None = None, verifier: Any = None) -> FastAPI:
    """The HTTP app; verifier is a TokenVerifier or a KeySource (tests pass LocalKeys)."""
    settings = settings or bootstrap.get_settings()
    configure_logging(SERVICE, settings.telemetry)
    configure_tracing(SERVICE, settings.telemetry)
    container = bootstrap.build(settings)
    feed = None
    if verifier is None:
        feed = revocation_feed_for(settings.auth)
        verifier = bootstrap.token_verifier(settings, feed.revocations if feed else None)
    elif not isinstance(verifier, TokenVerifier):
        verifier = TokenVerifier(settings.auth, verifier)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        if feed:
            await feed.start()
        settle_startup_objects()
        yield
        if feed:
            await feed.stop()
        await container.engine.dispose()

    app = FastAPI(title="Habitat contributions", version="1", lifespan=lifespan)
    app.state.container = container
    app.state.verifier = verifier
    install_error_handlers(app)

    install_domain_errors(app, errors.ContributionError)

    async def database_ok() -> bool:
        return await database_is_reachable(container.engine)

    async def broker_ok() -> bool:
        return await broker_is_reachable(settings.rabbit.url.get_secret_value())

    checks = {"database": database_ok, "broker": broker_ok} | ({"revocations": feed.ready} if feed else {})
    install_observability(app, SERVICE, checks)
    _preinitialise_metrics()
    install_no_store(app)
    # Order matters: a literal path (/contributions/batch-approve) must stay ahead of any
    # /contributions/{contribution_id} route of the same method.
    app.include_router(routes_contributions.router)
    app.include_router(routes_review.router)
    app.include_router(routes_intake.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_rate_card.router)
    dead_letters = DeadLetterStore(container.session_factory, orm.dead_letter)
    app.include_router(dead_letters_router(service=SERVICE, store_of=lambda _: dead_letters, admin=admin_principal))
    return app


def _preinitialise_metrics() -> None:
    """Business series at 0 before the first submission, decision and import."""
    types = [str(t) for t in ContributionType]
    decisions = [str(s) for s in ContributionStatus if s != ContributionStatus.PENDING]
    preinitialise(CONTRIBUTIONS_SUBMITTED, types, CHANNELS)
    preinitialise(CONTRIBUTIONS_DECIDED, types, decisions)
    preinitialise_imports(SERVICE, [routes_admin.IMPORT_KIND])
