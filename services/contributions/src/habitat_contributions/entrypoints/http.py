"""The contributions HTTP API (FastAPI). It never talks to RabbitMQ: events go through the outbox."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from habitat_common.auth import TokenVerifier
from habitat_common.messaging.dead_letter_store import DeadLetterStore
from habitat_common.metrics import (
    CHANNELS,
    CONTRIBUTIONS_DECIDED,
    CONTRIBUTIONS_SUBMITTED,
    IMPORT_STAGE_SECONDS,
    IMPORT_STAGES,
    preinitialise,
    preinitialise_imports,
)
from habitat_common.revocation import revocation_feed_for
from habitat_common.telemetry import configure_logging, configure_tracing
from habitat_common.web.service_app import service_app
from habitat_contributions import bootstrap
from habitat_contributions.adapters import orm
from habitat_contributions.config import ContributionsSettings
from habitat_contributions.domain import errors
from habitat_contributions.domain.statuses import ContributionStatus, ContributionType
from habitat_contributions.entrypoints import (
    routes_admin,
    routes_contributions,
    routes_intake,
    routes_patronage,
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

    app = service_app(
        SERVICE,
        engine=container.engine,
        reads=container.reads,
        member_changes_schema=SERVICE,
        broker_url=settings.rabbit.url.get_secret_value(),
        revocation_feed=feed,
        state={"container": container, "verifier": verifier},
        domain_error=errors.ContributionError,
        # Order matters: a literal path (/contributions/batch-approve) must stay ahead of any
        # /contributions/{contribution_id} route of the same method.
        routers=[
            routes_contributions.router,
            routes_review.router,
            routes_intake.router,
            routes_patronage.router,
            routes_admin.router,
            routes_rate_card.router,
        ],
        dead_letters=DeadLetterStore(container.session_factory, orm.dead_letter),
        admin=admin_principal,
    )
    _preinitialise_metrics()
    return app


def _preinitialise_metrics() -> None:
    """Business series at 0 before the first submission, decision and import."""
    types = [str(t) for t in ContributionType]
    decisions = [str(s) for s in ContributionStatus if s != ContributionStatus.PENDING]
    preinitialise(CONTRIBUTIONS_SUBMITTED, types, CHANNELS)
    preinitialise(CONTRIBUTIONS_DECIDED, types, decisions)
    preinitialise_imports(SERVICE, [routes_admin.IMPORT_KIND])
    preinitialise(IMPORT_STAGE_SECONDS, IMPORT_STAGES)
