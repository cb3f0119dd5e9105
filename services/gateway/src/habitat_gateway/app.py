"""Composition root of the gateway: settings, service clients, token verifier, routes."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from habitat_common.auth import JwksKeySource, TokenVerifier
from habitat_common.feed_polling import FeedPoller
from habitat_common.metrics import DASHBOARD_CACHE_ANSWERS, preinitialise
from habitat_common.revocation import revocation_feed_for
from habitat_common.runtime import settle_startup_objects
from habitat_common.telemetry import configure_logging, configure_tracing
from habitat_common.web.caching import install_no_store
from habitat_common.web.errors import install_error_handlers
from habitat_common.web.observability import install_observability

from habitat_gateway.clients.upstream import ServiceClient, Services
from habitat_gateway.config import GatewaySettings, get_settings
from habitat_gateway.dashboard_cache import DashboardCache, MemberChanges
from habitat_gateway.response_contract import ResponseContractCheck
from habitat_gateway.routes import (
    accounts,
    api_docs,
    auth,
    close,
    contributions,
    dead_letters,
    documents,
    imports,
    ledger,
    members,
    money_moves,
    notifications,
    periods,
    recovery,
    ui_admin,
    ui_auth,
    ui_documents,
    ui_guides,
    ui_imports,
    ui_ledger,
    ui_member,
    ui_notifications,
    ui_recovery,
    ui_review,
)
from habitat_gateway.routes.ui_session import NotSignedIn

API_PREFIX = "/api/v1"


def build_services(settings: GatewaySettings) -> Services:
    def client(name: str, url: str) -> ServiceClient:
        return ServiceClient(
            name, url, timeout=settings.upstream_timeout_seconds, max_connections=settings.upstream_max_connections
        )

    return Services(
        identity=client("identity", settings.identity_url),
        contributions=client("contributions", settings.contributions_url),
        ledger=client("ledger", settings.ledger_url),
        notifications=client("notifications", settings.notifications_url),
    )


def dashboard_cache(settings: GatewaySettings, services: Services) -> tuple[DashboardCache, list[FeedPoller]]:
    """The dashboard cache and the three member change feeds it listens to (polled once the app starts)."""
    cache = DashboardCache(
        max_entries=settings.dashboard_cache_entries,
        max_age_seconds=settings.dashboard_cache_max_age_seconds,
        today=settings.coop.today,
    )
    feeds = [
        FeedPoller(
            f"{url.rstrip('/')}/member-changes", MemberChanges(cache), field="changes", name=f"{name}-member-changes",
            interval_seconds=settings.member_changes_poll_seconds,
            overlap_seconds=settings.member_changes_overlap_seconds,
        )
        for name, url in (
            ("identity", settings.identity_url),
            ("contributions", settings.contributions_url),
            ("ledger", settings.ledger_url),
        )
    ]
    cache.watch(feeds)
    services.cache_dashboards(cache)
    return cache, feeds


def create_app(
    settings: GatewaySettings | None = None,
    verifier: TokenVerifier | None = None,
    services: Services | None = None,
) -> FastAPI:
    """The gateway app: /api/v1 (OpenAPI at /api/v1/openapi.json) and the web UI."""
    settings = settings or get_settings()
    configure_logging("gateway", settings.telemetry)
    configure_tracing("gateway", settings.telemetry)
    feeds: list[FeedPoller] = []
    if services is None:  # the real services, which keep member change feeds (tests hand in their own)
        services = build_services(settings)
        if settings.dashboard_cache_entries > 0:
            _, feeds = dashboard_cache(settings, services)
            preinitialise(DASHBOARD_CACHE_ANSWERS, ["hit", "miss", "bypass"])
    feed = None
    if verifier is None:
        feed = revocation_feed_for(settings.auth)
        revocations = feed.revocations if feed else None
        keys = JwksKeySource(settings.auth.jwks_url, cache_seconds=settings.auth.jwks_cache_seconds)
        verifier = TokenVerifier(settings.auth, keys, revocations)

    pollers = [*([feed] if feed else []), *feeds]

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        for poller in pollers:
            await poller.start()
        settle_startup_objects()
        yield
        for poller in pollers:
            await poller.stop()
        await services.close()

    app = FastAPI(
        title="Habitat API",
        version="1.0.0",
        description="Patronage accounting for cooperatives. Money is a decimal string; errors are "
        '{"error": {"code", "message"}}.',
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # our own page (routes/api_docs.py): Swagger UI from /static, no CDN, no inline script
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.services = services
    app.state.verifier = verifier
    install_error_handlers(app)

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(_: Request, __: NotSignedIn) -> RedirectResponse:
        return RedirectResponse("/login", status_code=303)

    async def services_alive() -> bool:
        return all([await client.is_alive() for client in services.all()])

    checks = {"services": services_alive} | ({"revocations": feed.ready} if feed else {})
    install_observability(app, "gateway", checks)
    install_no_store(app, public_prefixes=("/static/",))
    # documents before close: /allocations/{id}/statement/{member_id}.pdf is not a member_id "….pdf"
    for module in (
        auth, documents, recovery, members, periods, contributions, accounts, close, ledger, imports, money_moves,
        notifications, dead_letters,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(api_docs.router)
    for module in (
        ui_auth, ui_recovery, ui_member, ui_review, ui_admin, ui_imports, ui_ledger, ui_notifications, ui_guides,
        ui_documents,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).resolve().parent / "static")), name="static")
    if settings.response_contract_log is not None:
        app.add_middleware(ResponseContractCheck, log_path=settings.response_contract_log, prefix=API_PREFIX)
    return app
