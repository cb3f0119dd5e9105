"""The ledger's HTTP process (`uvicorn --factory habitat_ledger.entrypoints.http:create_app`)."""

from __future__ import annotations

from fastapi import FastAPI
from habitat_common.auth import KeySource, TokenVerifier
from habitat_common.messaging.dead_letter_store import DeadLetterStore
from habitat_common.metrics import (
    ALLOCATIONS_POSTED,
    DISTRIBUTIONS_POSTED,
    preinitialise,
    preinitialise_imports,
)
from habitat_common.read_pool import ReadPool
from habitat_common.revocation import revocation_feed_for
from habitat_common.web.service_app import service_app
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
    reads: ReadPool | None = None,
    clock: bootstrap.Clock | None = None,
) -> FastAPI:
    """Build the HTTP app; tests inject settings, a verifier (or KeySource), a session factory, reads and a
    clock."""
    ledger = bootstrap.build(settings, session_factory=session_factory, reads=reads, clock=clock)
    feed = None
    if verifier is None:
        feed = revocation_feed_for(ledger.settings.auth)
    verifier = bootstrap.token_verifier(ledger.settings, verifier)
    if feed:
        verifier.revocations = feed.revocations
    app = service_app(
        bootstrap.SERVICE,
        engine=ledger.engine,
        reads=ledger.reads,
        member_changes_schema=bootstrap.SERVICE,
        broker_url=ledger.settings.rabbit.url.get_secret_value(),
        revocation_feed=feed,
        state={"ledger": ledger, "verifier": verifier},
        domain_error=LedgerError,
        presenters={K1AlreadyIssued: _issued},
        # routes_example before routes_allocations: /allocations/example is not an /allocations/{allocation_id}; so
        # routes_documents: /allocations/{id}/statement/{member_id}.pdf is not a member_id "….pdf"
        routers=[
            module.router
            for module in (
                routes_periods, routes_capital, routes_close, routes_example, routes_documents, routes_allocations,
                routes_distributions, routes_exports, routes_journal, routes_imports, routes_integrity, routes_k1,
                routes_money_moves,
            )
        ],
        dead_letters=DeadLetterStore(ledger.session_factory, dead_letter),
        admin=admin_principal,
    )
    preinitialise_imports(bootstrap.SERVICE, [routes_imports.IMPORT_KIND])
    preinitialise(ALLOCATIONS_POSTED)
    preinitialise(DISTRIBUTIONS_POSTED)
    return app


def _issued(error: K1AlreadyIssued) -> dict:
    """What was issued, in the JSON form the K-1 routes answer with."""
    return {"issued": routes_k1.issue_json(error.issued)} if error.issued is not None else {}
