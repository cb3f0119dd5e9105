"""The FastAPI app every service's HTTP process starts from: one shape, so each create_app keeps only its own parts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from habitat_common.auth import Principal
from habitat_common.db import database_is_reachable
from habitat_common.messaging.dead_letter_store import DeadLetterStore
from habitat_common.messaging.probe import broker_is_reachable
from habitat_common.read_pool import ReadPool
from habitat_common.revocation import RevocationFeed
from habitat_common.runtime import settle_startup_objects
from habitat_common.web.caching import install_no_store
from habitat_common.web.dead_letters import dead_letters_router
from habitat_common.web.errors import Presenter, install_domain_errors, install_error_handlers
from habitat_common.web.member_changes import member_changes_router
from habitat_common.web.observability import Check, install_observability

Admin = Callable[..., Coroutine[Any, Any, Principal]]


def service_app(
    service: str,
    *,
    engine: AsyncEngine,
    routers: Sequence[APIRouter],
    domain_error: type[Exception],
    broker_url: str | None = None,
    revocation_feed: RevocationFeed | None = None,
    dead_letters: DeadLetterStore | None = None,
    admin: Admin | None = None,
    on_start: Callable[[], Awaitable[object]] | None = None,
    state: Mapping[str, object] | None = None,
    details_beside_error: bool = False,
    presenters: Mapping[type[Exception], Presenter] | None = None,
    reads: ReadPool | None = None,
    member_changes_schema: str | None = None,
) -> FastAPI:
    """Build a service's HTTP app: lifespan, error handlers, observability with /healthz, /readyz and /metrics,
    no-store caching, then routers in the given order, the dead-letter routes when a store is given and the
    member change feed (`GET /member-changes`, read from member_changes_schema on reads) when a schema is given.

    /readyz checks the database, the broker when broker_url is given, and the revocation feed when there is
    one. The lifespan runs on_start, starts the feed and settles start-up objects; on shutdown it stops the
    feed, disposes of the engine and closes the read pool when there is one.
    """
    if dead_letters is not None and admin is None:
        raise ValueError("the dead-letter routes need the service's admin dependency")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if on_start is not None:
            await on_start()
        if revocation_feed:
            await revocation_feed.start()
        settle_startup_objects()
        yield
        if revocation_feed:
            await revocation_feed.stop()
        await engine.dispose()
        if reads is not None:
            await reads.close()

    app = FastAPI(title=f"Habitat {service}", version="1", lifespan=lifespan)
    for name, value in (state or {}).items():
        setattr(app.state, name, value)
    install_error_handlers(app)
    install_domain_errors(app, domain_error, details_beside_error=details_beside_error, presenters=presenters)
    install_observability(app, service, readiness_checks(engine, broker_url, revocation_feed))
    install_no_store(app)
    for router in routers:
        app.include_router(router)
    if dead_letters is not None and admin is not None:
        app.include_router(dead_letters_router(service=service, store_of=lambda _: dead_letters, admin=admin))
    if member_changes_schema is not None:
        if reads is None:
            raise ValueError("the member change feed is read on the service's read pool")
        app.include_router(member_changes_router(reads, member_changes_schema))
    return app


def readiness_checks(
    engine: AsyncEngine, broker_url: str | None, revocation_feed: RevocationFeed | None
) -> dict[str, Check]:
    """What /readyz asks, in the order it answers: database, then broker and revocations where they apply."""

    async def database() -> bool:
        return await database_is_reachable(engine)

    async def broker() -> bool:
        return await broker_is_reachable(broker_url or "")

    checks: dict[str, Check] = {"database": database}
    if broker_url is not None:
        checks["broker"] = broker
    if revocation_feed:
        checks["revocations"] = revocation_feed.ready
    return checks
