"""The composition root: settings, engine, sessions, unit-of-work factory, read pool and token verifier."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache

from habitat_common.auth import JwksKeySource, KeySource, TokenVerifier
from habitat_common.db import make_engine, make_sessionmaker
from habitat_common.read_pool import ReadPool
from habitat_common.telemetry import configure_logging, configure_tracing
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from habitat_ledger.adapters.orm import start_mappers
from habitat_ledger.adapters.statement_reads import PooledStatementReads
from habitat_ledger.adapters.uow import SqlAlchemyUnitOfWork
from habitat_ledger.config import LedgerSettings

SERVICE = "ledger"
UowFactory = Callable[[], SqlAlchemyUnitOfWork]
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@lru_cache
def get_settings() -> LedgerSettings:
    return LedgerSettings()


@dataclass(frozen=True)
class Container:
    """Everything a ledger process shares: one engine, its sessions and units of work, and the read pool of
    the pages asked for on every view."""

    settings: LedgerSettings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    reads: ReadPool
    clock: Clock = field(default=system_clock)

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.session_factory)

    @property
    def statement_reads(self) -> PooledStatementReads:
        return PooledStatementReads(self.reads)

    def today(self) -> date:
        """The co-op's date now (its time zone), the default date of what is booked or reported."""
        return self.settings.coop.today(self.clock())


def build(
    settings: LedgerSettings | None = None,
    *,
    session_factory: async_sessionmaker[AsyncSession] | None = None,
    reads: ReadPool | None = None,
    clock: Clock | None = None,
    process: str = "http",
) -> Container:
    """Wire one process ("http" or "worker": its log level); tests may hand in a session factory and reads
    bound to their own transaction, and a clock."""
    settings = settings or get_settings()
    configure_logging(SERVICE, settings.telemetry, process=process)
    configure_tracing(SERVICE, settings.telemetry)
    start_mappers()
    engine = make_engine(settings.database, service=SERVICE)
    return Container(
        settings,
        engine,
        session_factory or make_sessionmaker(engine),
        reads or ReadPool(settings.database, service=SERVICE),
        clock or system_clock,
    )


def token_verifier(settings: LedgerSettings, keys: TokenVerifier | KeySource | None = None) -> TokenVerifier:
    """identity's JWKS by default; tests pass LocalKeys (a KeySource) or a ready verifier."""
    if isinstance(keys, TokenVerifier):
        return keys
    jwks = JwksKeySource(settings.auth.jwks_url, cache_seconds=settings.auth.jwks_cache_seconds)
    return TokenVerifier(settings.auth, keys or jwks)
