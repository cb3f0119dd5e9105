"""The notifications HTTP API (FastAPI): preferences, the admin view of mail, reminder runs on demand. It never
talks to RabbitMQ and never sends mail: it writes mail, and the worker sends it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from habitat_common.auth import TokenVerifier
from habitat_common.messaging.dead_letter_store import DeadLetterStore
from habitat_common.revocation import revocation_feed_for
from habitat_common.telemetry import configure_logging, configure_tracing
from habitat_common.web.service_app import service_app
from habitat_notifications import bootstrap
from habitat_notifications.adapters import orm
from habitat_notifications.config import NotificationsSettings
from habitat_notifications.domain import errors
from habitat_notifications.entrypoints import routes_messages, routes_preferences, routes_runs
from habitat_notifications.entrypoints.dependencies import admin_principal

SERVICE = bootstrap.SERVICE


def create_app(settings: NotificationsSettings | None = None, verifier: Any = None) -> FastAPI:
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
    # no broker check: this process never talks to RabbitMQ
    return service_app(
        SERVICE,
        engine=container.engine,
        revocation_feed=feed,
        state={"container": container, "verifier": verifier},
        domain_error=errors.NotificationsError,
        routers=[routes_preferences.router, routes_messages.router, routes_runs.router],
        dead_letters=DeadLetterStore(container.session_factory, orm.dead_letter),
        admin=admin_principal,
    )
