"""The identity HTTP API (uvicorn --factory habitat_identity.entrypoints.http:create_app)."""

from __future__ import annotations

from fastapi import FastAPI
from habitat_common.auth import KeySource, TokenVerifier
from habitat_common.metrics import SIGNIN_ATTEMPTS, SIGNIN_OUTCOMES, preinitialise, preinitialise_imports
from habitat_common.telemetry import configure_logging, configure_tracing
from habitat_common.web.service_app import service_app

from habitat_identity.bootstrap import build
from habitat_identity.config import IdentitySettings
from habitat_identity.domain import errors
from habitat_identity.entrypoints import routes_admin, routes_auth, routes_members, routes_recovery


def create_app(settings: IdentitySettings | None = None, verifier: TokenVerifier | KeySource | None = None) -> FastAPI:
    """Build the identity API; verifier (or a KeySource for one) may be injected by tests."""
    container = build(settings, verifier)
    container.hasher  # noqa: B018 -- its dummy hash is computed at start, not during the first sign-in
    configure_logging("identity", container.settings.telemetry)
    configure_tracing("identity", container.settings.telemetry)
    app = service_app(
        "identity",
        engine=container.engine,
        reads=container.reads,
        member_changes_schema="identity",
        broker_url=container.settings.rabbit.url.get_secret_value(),
        revocation_feed=container.revocation_feed,
        on_start=container.keys.signing_key,  # creates the first key on the very first start
        state={"container": container},
        domain_error=errors.IdentityError,
        details_beside_error=True,
        routers=[routes_auth.router, routes_recovery.router, routes_members.router, routes_admin.router],
    )
    preinitialise(SIGNIN_ATTEMPTS, SIGNIN_OUTCOMES)
    preinitialise_imports("identity", [routes_admin.IMPORT_KIND])
    return app
