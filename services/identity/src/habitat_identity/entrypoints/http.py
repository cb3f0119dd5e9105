"""The identity HTTP API (uvicorn --factory habitat_identity.entrypoints.http:create_app)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from habitat_common.auth import KeySource, TokenVerifier
from habitat_common.db import database_is_reachable
from habitat_common.messaging.probe import broker_is_reachable
from habitat_common.metrics import SIGNIN_ATTEMPTS, SIGNIN_OUTCOMES, preinitialise, preinitialise_imports
from habitat_common.runtime import settle_startup_objects
from habitat_common.telemetry import configure_logging, configure_tracing
from habitat_common.web.caching import install_no_store
from habitat_common.web.errors import install_domain_errors, install_error_handlers
from habitat_common.web.observability import install_observability

from habitat_identity.bootstrap import build
from habitat_identity.config import IdentitySettings
from habitat_identity.domain import errors
from habitat_identity.entrypoints import routes_admin, routes_auth, routes_members, routes_recovery


def create_app(settings: IdentitySettings | None = None, verifier: TokenVerifier | KeySource | None = None) -> FastAPI:
    """Build the identity API; verifier (or a KeySource for one) may be injected by tests."""
    container = build(settings, verifier)
    configure_logging("identity", container.settings.telemetry)
    configure_tracing("identity", container.settings.telemetry)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await container.keys.signing_key()  # creates the first key on the very first start
        if container.revocation_feed:
            await container.revocation_feed.start()
        settle_startup_objects()
        yield
        if container.revocation_feed:
            await container.revocation_feed.stop()
        await container.engine.dispose()

    app = FastAPI(title="Habitat identity", version="1", lifespan=lifespan)
    app.state.container = container
    install_error_handlers(app)

    install_domain_errors(app, errors.IdentityError, details_beside_error=True)

    async def database_ok() -> bool:
        return await database_is_reachable(container.engine)

    async def broker_ok() -> bool:
        return await broker_is_reachable(container.settings.rabbit.url.get_secret_value())

    checks = {"database": database_ok, "broker": broker_ok}
    if container.revocation_feed:
        checks["revocations"] = container.revocation_feed.ready
    install_observability(app, "identity", checks)
    preinitialise(SIGNIN_ATTEMPTS, SIGNIN_OUTCOMES)
    preinitialise_imports("identity", [routes_admin.IMPORT_KIND])
    install_no_store(app)
    app.include_router(routes_auth.router)
    app.include_router(routes_recovery.router)
    app.include_router(routes_members.router)
    app.include_router(routes_admin.router)
    return app
