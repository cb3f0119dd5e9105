"""One async engine per process, sessions, and the base unit of work that writes the outbox."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Callable, Iterable
from typing import Any

import asyncpg
from sqlalchemy import MetaData, insert, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from habitat_common.contracts.envelope import Contract
from habitat_common.db_pool import metered_pool
from habitat_common.messaging.inbox import claim, claim_many
from habitat_common.messaging.outbox import outbox_row
from habitat_common.settings import DatabaseSettings
from habitat_common.telemetry import current_correlation_id
from habitat_common.tracing import instrument_engine

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def schema_metadata(schema: str) -> MetaData:
    """MetaData for one service's schema with the shared naming convention."""
    return MetaData(schema=schema, naming_convention=NAMING)


def make_engine(
    settings: DatabaseSettings,
    *,
    pre_ping: bool = True,
    recycle_seconds: int | None = None,
    server_settings: dict[str, str] | None = None,
    service: str = "habitat",
) -> AsyncEngine:
    """The process's engine. Every checkout is pre-pinged, so connections a PostgreSQL restart broke are
    replaced instead of failing a request; connections are recycled after settings.pool_recycle_seconds
    (or recycle_seconds). Connection attempts time out after settings.connect_timeout_seconds and statements
    after settings.command_timeout_seconds: while the database is down, requests fail fast (503, see
    habitat_common.web.errors) rather than hang. server_settings are PostgreSQL settings for every connection.
    The pool exports habitat_db_pool_* metrics labelled with service (see habitat_common.db_pool)."""
    connect_args: dict[str, Any] = {"timeout": settings.connect_timeout_seconds}
    if settings.command_timeout_seconds is not None:
        connect_args["command_timeout"] = settings.command_timeout_seconds
    if server_settings:
        connect_args["server_settings"] = server_settings
    engine = create_async_engine(
        settings.url.get_secret_value(),
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_pre_ping=pre_ping,
        pool_recycle=settings.pool_recycle_seconds if recycle_seconds is None else recycle_seconds,
        connect_args=connect_args,
        poolclass=metered_pool(service),
    )
    instrument_engine(engine)  # a span per statement, inside the request's or the message's trace
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def database_is_reachable(engine: AsyncEngine, timeout_seconds: float = 1.8) -> bool:
    """A /readyz check; answers False within timeout_seconds when the database is down or does not answer."""

    async def probe() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(probe(), timeout_seconds)
        return True
    except Exception:  # noqa: BLE001 - readiness reports any failure as "not ready"
        return False


# asyncpg's own "the server is not there (any more)" errors, raw or as the cause of a SQLAlchemy error
_ASYNCPG_UNAVAILABLE = (
    asyncpg.exceptions.CannotConnectNowError,  # starting up or shutting down
    asyncpg.exceptions.ConnectionDoesNotExistError,  # closed under us
    asyncpg.exceptions.PostgresConnectionError,  # SQLSTATE class 08
    asyncpg.exceptions.OperatorInterventionError,  # admin / crash shutdown terminated the session
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.InterfaceError,
)
_CONNECT_ERRNOS = {
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.ETIMEDOUT,
    errno.EPIPE,
}


def _unavailable_itself(exc: BaseException) -> bool:
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(exc, _ASYNCPG_UNAVAILABLE):
        return True
    if isinstance(exc, (TimeoutError, ConnectionError)):  # connect or command timeout, refused, reset
        return True
    if isinstance(exc, OSError):
        # asyncio reports failing every address of a host as OSError("Multiple exceptions: ...") without errno
        return exc.errno in _CONNECT_ERRNOS or str(exc).startswith("Multiple exceptions")
    return False


def is_database_unavailable(exc: BaseException) -> bool:
    """True when exc (or what it wraps) says the database could not be reached or went away."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen or len(seen) > 20:
            continue
        seen.add(id(current))
        if _unavailable_itself(current):
            return True
        todo += [getattr(current, "orig", None), current.__cause__]
    return False


class SqlAlchemyUnitOfWorkBase:
    """Owns a session; on commit writes collected events to the outbox in the same transaction."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        producer: str,
        outbox_table: Any,
        inbox_table: Any,
        to_contracts: Callable[[Any], Iterable[Contract]],
    ) -> None:
        self._session_factory = session_factory
        self._producer = producer
        self._outbox = outbox_table
        self._inbox = inbox_table
        self._to_contracts = to_contracts
        self.events: list[Any] = []

    async def __aenter__(self):
        self.session = self._session_factory()
        self.events = []
        self._enter_repositories(self.session)
        return self

    def _enter_repositories(self, session: AsyncSession) -> None:
        """Subclasses create their repositories on the fresh session."""

    async def __aexit__(self, *exc: object) -> None:
        # detach loaded objects first so what a read use case returns stays readable after rollback
        self.session.expunge_all()
        await self.session.rollback()
        await self.session.close()

    async def claim_event(self, consumer: str, event_id: Any) -> bool:
        """Record an event as handled by consumer; False when it was handled before."""
        return await claim(self.session, self._inbox, consumer, event_id)

    async def claim_events(self, consumer: str, event_ids: list[Any]) -> set[Any]:
        """Record many events as handled by consumer in one statement; those handled before are left out."""
        return await claim_many(self.session, self._inbox, consumer, event_ids)

    def take_outbox_rows(self) -> list[dict[str, Any]]:
        """The collected events as outbox rows (the events are consumed), for one set-based insert."""
        correlation_id = current_correlation_id()
        rows = [
            outbox_row(contract, producer=self._producer, correlation_id=correlation_id)[1]
            for event in self.events
            for contract in self._to_contracts(event)
        ]
        self.events = []
        return rows

    async def commit(self) -> None:
        if rows := self.take_outbox_rows():
            await self.session.execute(insert(self._outbox), rows)
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
