"""The notifications HTTP API (FastAPI): preferences, the admin view of mail, reminder runs on demand. It never
talks to RabbitMQ and never sends mail: it writes mail, and the worker sends it."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from habitat_common.auth import TokenVerifier
from habitat_common.db import database_is_reachable
from habitat_common.messaging.dead_letter_store import DeadLetterStore
from habitat_common.revocation import revocation_feed_for
from habitat_common.runtime import settle_startup_objects
from habitat_common.telemetry import configure_logging, configure_tracing
from habitat_common.web.caching import install_no_store
from habitat_common.web.dead_letters import dead_letters_router
from habitat_common.web.errors import install_domain_errors, install_error_handlers
from habitat_common.web.observability import install_observability
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

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        if feed:
            await feed.start()
        settle_startup_objects()
        yield
        if feed:
            await feed.stop()
        await container.engine.dispose()

    app = FastAPI(title="Habitat notifications", version="1", lifespan=lifespan)
    app.state.container = container
    app.state.verifier = verifier
    install_error_handlers(app)

    install_domain_errors(app, errors.NotificationsError)

    async def database_ok() -> bool:
        return await database_is_reachable(container.engine)

    checks = {"database": database_ok} | ({"revocations": feed.ready} if feed else {})
    install_observability(app, SERVICE, checks)
    install_no_store(app)
    app.include_router(routes_preferences.router)
    app.include_router(routes_messages.router)
    app.include_router(routes_runs.router)
    dead_letters = DeadLetterStore(container.session_factory, orm.dead_letter)
    app.include_router(dead_letters_router(service=SERVICE, store_of=lambda _: dead_letters, admin=admin_principal))
    return app
