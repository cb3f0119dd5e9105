"""The composition root: settings, engine, unit of work, hasher, keys, issuer and verifier.

Every process (HTTP, worker, CLI) takes the same Container from build(); the parts only some of them use and that
cost to build (the hasher's dummy hash, zxcvbn's dictionaries) are made on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from habitat_common.auth import KeySource, TokenVerifier
from habitat_common.db import make_engine, make_sessionmaker
from habitat_common.read_pool import ReadPool
from habitat_common.revocation import RevocationFeed, revocation_feed_for
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from habitat_identity.adapters.devices import HmacDeviceCookies, device_cookie_secret
from habitat_identity.adapters.keys import JwtAccessTokenIssuer, KeyRing
from habitat_identity.adapters.member_views import PooledMemberViews
from habitat_identity.adapters.orm import start_mappers
from habitat_identity.adapters.passwords import Argon2PasswordHasher
from habitat_identity.adapters.successors import FernetPairSealer
from habitat_identity.adapters.uow import SqlAlchemyUnitOfWork
from habitat_identity.config import IdentitySettings

if TYPE_CHECKING:
    from habitat_identity.adapters.strength import ZxcvbnStrengthEstimator


@lru_cache
def get_settings() -> IdentitySettings:
    return IdentitySettings()


@lru_cache
def password_hasher(concurrency: int = 1) -> Argon2PasswordHasher:
    """One hasher per process (building it computes the dummy hash once)."""
    return Argon2PasswordHasher(concurrency=concurrency)


@cache
def strength_estimator() -> ZxcvbnStrengthEstimator:
    """One estimator per process, imported on first use: zxcvbn loads its dictionaries (~15 MB) on import."""
    from habitat_identity.adapters.strength import ZxcvbnStrengthEstimator

    return ZxcvbnStrengthEstimator()


@dataclass
class Container:
    """Everything one process wires together, built once."""

    settings: IdentitySettings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    keys: KeyRing
    issuer: JwtAccessTokenIssuer
    verifier: TokenVerifier
    devices: HmacDeviceCookies
    reads: ReadPool
    revocation_feed: RevocationFeed | None = None
    sealer: FernetPairSealer = field(default_factory=FernetPairSealer)

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.session_factory)

    @property
    def member_views(self) -> PooledMemberViews:
        return PooledMemberViews(self.reads)

    @property
    def hasher(self) -> Argon2PasswordHasher:
        """The process's password hasher, built on first use (the worker never hashes)."""
        return password_hasher(self.settings.password_hash_concurrency)

    @property
    def strength(self) -> ZxcvbnStrengthEstimator:
        """The process's password strength estimator, built on first use."""
        return strength_estimator()


def signing_key_passphrase(settings: IdentitySettings) -> str | None:
    """The passphrase the stored signing keys are encrypted with, if one is configured."""
    secret = settings.signing_key_passphrase
    return secret.get_secret_value() if secret else None


def device_cookies(settings: IdentitySettings) -> HmacDeviceCookies:
    """Device cookies signed with the configured secret (or one random per process)."""
    secret = settings.device_cookie_secret
    return HmacDeviceCookies(
        device_cookie_secret(secret.get_secret_value() if secret else None),
        max_age_seconds=settings.device_cookie_days * 24 * 3600,
    )


def build(
    settings: IdentitySettings | None = None, verifier: TokenVerifier | KeySource | None = None
) -> Container:
    """Wire identity; verifier defaults to one backed by identity's own keys (no HTTP call to itself)."""
    settings = settings or get_settings()
    start_mappers()
    engine = make_engine(settings.database, service="identity")
    session_factory = make_sessionmaker(engine)
    keys = KeyRing(
        session_factory, cache_seconds=settings.auth.jwks_cache_seconds, passphrase=signing_key_passphrase(settings)
    )
    feed = None
    if verifier is None:
        # identity follows its own revocation feed like every other process, so all agree on ended sessions
        feed = revocation_feed_for(settings.auth)
        verifier = TokenVerifier(settings.auth, keys, feed.revocations if feed else None)
    elif not isinstance(verifier, TokenVerifier):
        verifier = TokenVerifier(settings.auth, verifier)
    return Container(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        keys=keys,
        issuer=JwtAccessTokenIssuer(keys, settings.auth, ttl_seconds=settings.access_token_ttl_seconds),
        verifier=verifier,
        devices=device_cookies(settings),
        reads=ReadPool(settings.database, service="identity"),
        revocation_feed=feed,
    )
