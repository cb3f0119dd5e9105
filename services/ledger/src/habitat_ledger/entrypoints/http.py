"""The ledger's HTTP process (`uvicorn --factory habitat_ledger.entrypoints.http:create_app`)."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from habitat_common.auth import KeySource, TokenVerifier
from habitat_common.db import database_is_reachable
from habitat_common.messaging.dead_letter_store import DeadLetterStore
from habitat_common.messaging.probe import broker_is_reachable
from habitat_common.metrics import (
    ALLOCATIONS_POSTED,
    DISTRIBUTIONS_POSTED,
    preinitialise,
    preinitialise_imports,
)
from habitat_common.revocation import revocation_feed_for
from habitat_common.runtime import settle_startup_objects
from habitat_common.web.caching import install_no_store
from habitat_common.web.dead_letters import dead_letters_router
from habitat_common.web.errors import install_domain_errors, install_error_handlers
from habitat_common.web.observability import install_observability
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from habitat_ledger import bootstrap
from habitat_ledger.adapters.orm import dead_letter
from habitat_ledger.config import LedgerSettings
from habitat_ledger.domain.errors import K1AlreadyIssued, LedgerError
from habitat_ledger.entrypoints import (
    routes_allocations,
    routes_capital,
    routes_close,
    routes_distributions,
    routes_documents,
    routes_example,
    routes_exports,
    routes_imports,
    routes_integrity,
    routes_journal,
    routes_k1,
    routes_money_moves,
    routes_periods,
)
from habitat_ledger.entrypoints.dependencies import admin_principal


def create_app(
    settings: LedgerSettings | None = None,
    verifier: TokenVerifier | KeySource | None = None,
    *,
    session_factory: async_sessionmaker[AsyncSession] | None = None,
    clock: bootstrap.Clock | None = None,
) -> FastAPI:
    """Build the HTTP app; tests inject settings, a verifier (or KeySource), a session factory and a clock."""
    ledger = bootstrap.build(settings, session_factory=session_factory, clock=clock)
    feed = None
    if verifier is None:
        feed = revocation_feed_for(ledger.settings.auth)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        if feed:
            await feed.start()
        settle_startup_objects()
        yield
        if feed:
            await feed.stop()
        await ledger.engine.dispose()

    app = FastAPI(title="Habitat ledger", version="1", lifespan=lifespan)
    app.state.ledger = ledger
    app.state.verifier = bootstrap.token_verifier(ledger.settings, verifier)
    if feed:
        app.state.verifier.revocations = feed.revocations
    install_error_handlers(app)

    install_domain_errors(app, LedgerError, presenters={K1AlreadyIssued: _issued})

    async def database() -> bool:
        return await database_is_reachable(ledger.engine)

    async def broker() -> bool:
        return await broker_is_reachable(ledger.settings.rabbit.url.get_secret_value())

    checks = {"database": database, "broker": broker} | ({"revocations": feed.ready} if feed else {})
    install_observability(app, bootstrap.SERVICE, checks)
    preinitialise_imports(bootstrap.SERVICE, [routes_imports.IMPORT_KIND])
    preinitialise(ALLOCATIONS_POSTED)
    preinitialise(DISTRIBUTIONS_POSTED)
    install_no_store(app)
    app.include_router(routes_periods.router)
    # routes_example before routes_allocations: /allocations/example is not an /allocations/{allocation_id}; so
    # routes_documents: /allocations/{id}/statement/{member_id}.pdf is not a member_id "….pdf"
    for module in (
        routes_capital, routes_close, routes_example, routes_documents, routes_allocations, routes_distributions,
        routes_exports, routes_journal,
    ):
        app.include_router(module.router)
    for module in (routes_imports, routes_integrity, routes_k1, routes_money_moves):
        app.include_router(module.router)
    dead_letters = DeadLetterStore(ledger.session_factory, dead_letter)
    app.include_router(
        dead_letters_router(service=bootstrap.SERVICE, store_of=lambda _: dead_letters, admin=admin_principal)
    )
    return app


def _issued(error: K1AlreadyIssued) -> dict:
    """What was issued, in the JSON form the K-1 routes answer with."""
    return {"issued": routes_k1.issue_json(error.issued)} if error.issued is not None else {}
