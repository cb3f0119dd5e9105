"""The composition root: settings, engine, sessions, unit of work, read pool, token verifier, rate card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from habitat_common.auth import JwksKeySource, TokenVerifier
from habitat_common.db import make_engine, make_sessionmaker
from habitat_common.read_pool import ReadPool
from habitat_common.revocation import RevocationList
from habitat_contributions.adapters import orm
from habitat_contributions.adapters.contribution_import import PostgresContributionImportStore, PostgresImportEvents
from habitat_contributions.adapters.contribution_views import PooledContributionViews
from habitat_contributions.adapters.integrity import SqlIntegrityChecks
from habitat_contributions.adapters.uow import SqlAlchemyUnitOfWork
from habitat_contributions.config import ContributionsSettings
from habitat_contributions.domain.review_policy import ReviewPolicy
from habitat_contributions.domain.valuation import RateCard

POOL_RECYCLE_SECONDS = 600


@lru_cache
def get_settings() -> ContributionsSettings:
    return ContributionsSettings()


@dataclass
class Container:
    """Everything a process needs, built once."""

    settings: ContributionsSettings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    rate_card: RateCard
    policy: ReviewPolicy
    reads: ReadPool

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.session_factory)

    @property
    def contribution_views(self) -> PooledContributionViews:
        return PooledContributionViews(self.reads)

    def import_store(self) -> PostgresContributionImportStore:
        return PostgresContributionImportStore(self.engine)

    def import_events(self) -> PostgresImportEvents:
        return PostgresImportEvents(self.engine)

    def integrity_checks(self) -> SqlIntegrityChecks:
        return SqlIntegrityChecks(self.engine)


# An import resolves its file in temporary tables (about 60 MB for 100,000 rows); with PostgreSQL's default
# 8 MB of session buffers for them they spill to disk (~5 % of the import). Only sessions that use temporary
# tables take this memory, and it can only be set before a session's first one.
SESSION_SETTINGS = {"temp_buffers": "128MB"}


def build(settings: ContributionsSettings | None = None) -> Container:
    settings = settings or get_settings()
    orm.start_mappers()
    # Pre-pinged like every engine: without it the first request on each connection a PostgreSQL restart
    # broke was a 500. Connections are recycled before idle timeouts bite.
    engine = make_engine(
        settings.database,
        recycle_seconds=POOL_RECYCLE_SECONDS,
        server_settings=SESSION_SETTINGS,
        service="contributions",
    )
    return Container(
        settings=settings,
        engine=engine,
        session_factory=make_sessionmaker(engine),
        rate_card=RateCard(default=settings.rate_default, minimum=settings.rate_min, maximum=settings.rate_max),
        policy=ReviewPolicy(
            dual_approval_threshold=settings.dual_approval_threshold,
            review_target=timedelta(hours=settings.review_target_hours),
        ),
        reads=ReadPool(settings.database, service="contributions", server_settings=SESSION_SETTINGS),
    )


def token_verifier(settings: ContributionsSettings, revocations: RevocationList | None = None) -> TokenVerifier:
    keys = JwksKeySource(settings.auth.jwks_url, cache_seconds=settings.auth.jwks_cache_seconds)
    return TokenVerifier(settings.auth, keys, revocations)
