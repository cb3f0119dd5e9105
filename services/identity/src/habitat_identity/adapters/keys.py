"""Ed25519 signing keys kept in identity.signing_key: created once, rotated, published as JWKS, used to sign.

Rotation adds a new key (which signs from then on) and schedules the previous ones to retire once every
token they signed has expired; until retired_at they stay in the JWKS and keep verifying. Rotating with
retire_now (a compromised key) retires them at once: they leave the JWKS immediately, and verifiers drop
them when their cached key set expires (AuthSettings.jwks_cache_seconds).
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from habitat_common.auth import ACCESS_TOKEN_TYPE, InvalidToken
from habitat_common.settings import AuthSettings
from jwt.algorithms import OKPAlgorithm
from sqlalchemy import func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from habitat_identity.adapters.orm import audit_log, signing_key

# Any constant works; it only has to be the same for every identity process sharing the database.
_FIRST_KEY_LOCK = 0x1D3_417
# Past the access-token lifetime a retired key stays published this much longer (clock skew, JWKS caches).
RETIREMENT_GRACE = timedelta(seconds=60)
# How long a process keeps signing with the key it loaded; must stay under RETIREMENT_GRACE so a process
# never signs with a key that retires before the token expires.
SIGNING_KEY_RELOAD_SECONDS = 30.0


class SigningKeyUnreadable(RuntimeError):
    """A stored signing key cannot be loaded: encrypted without a passphrase given, or the wrong one."""


def private_key_pem(private: Ed25519PrivateKey, passphrase: str | None) -> str:
    """PKCS#8 PEM, encrypted with the passphrase when there is one (the library's best available scheme)."""
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
    )
    return private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption).decode()


def load_private_key(kid: str, pem: str, passphrase: str | None) -> Ed25519PrivateKey:
    """A stored key; keys written before a passphrase was set stay readable without it."""
    encrypted = "ENCRYPTED PRIVATE KEY" in pem
    if encrypted and not passphrase:
        raise SigningKeyUnreadable(f"signing key {kid} is encrypted: set IDENTITY_SIGNING_KEY_PASSPHRASE")
    try:
        key = serialization.load_pem_private_key(pem.encode(), passphrase.encode() if encrypted else None)
    except ValueError as error:
        raise SigningKeyUnreadable(f"signing key {kid} does not open with IDENTITY_SIGNING_KEY_PASSPHRASE") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyUnreadable(f"signing key {kid} is not an Ed25519 key")
    return key


@dataclass(frozen=True)
class StoredKey:
    kid: str
    private_key: Ed25519PrivateKey
    public_jwk: dict[str, Any]
    retired_at: datetime | None = None

    def is_live(self, now: datetime) -> bool:
        return self.retired_at is None or self.retired_at > now


def public_jwk(kid: str, public_key: Ed25519PublicKey) -> dict[str, Any]:
    """The OKP JWK of an Ed25519 public key, marked for EdDSA signatures."""
    jwk = OKPAlgorithm.to_jwk(public_key, as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "alg": "EdDSA"}


async def ensure_signing_key(session_factory: async_sessionmaker[AsyncSession], passphrase: str | None = None) -> None:
    """Create the first signing key unless one exists; an advisory lock serialises concurrent starts."""
    async with session_factory() as session, session.begin():
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _FIRST_KEY_LOCK})
        active = await session.scalar(
            select(func.count()).select_from(signing_key).where(signing_key.c.retired_at.is_(None))
        )
        if active:
            return
        await _insert_new_key(session, passphrase)


async def _insert_new_key(session: AsyncSession, passphrase: str | None) -> str:
    private = Ed25519PrivateKey.generate()
    kid = secrets.token_hex(8)
    pem = private_key_pem(private, passphrase)
    await session.execute(
        insert(signing_key).values(kid=kid, private_key_pem=pem, public_jwk=public_jwk(kid, private.public_key()))
    )
    return kid


async def rotate_signing_key(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    access_token_ttl_seconds: int,
    passphrase: str | None = None,
    retire_now: bool = False,
) -> tuple[str, list[str]]:
    """Add a new signing key and retire the others after their tokens expire, or at once with retire_now
    (their unexpired tokens stop verifying); (new kid, retiring kids)."""
    now = datetime.now(UTC)
    retire_at = now if retire_now else now + timedelta(seconds=access_token_ttl_seconds) + RETIREMENT_GRACE
    async with session_factory() as session, session.begin():
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _FIRST_KEY_LOCK})
        retiring = list(
            (
                await session.execute(
                    update(signing_key)
                    .where(signing_key.c.retired_at.is_(None))
                    .values(retired_at=retire_at)
                    .returning(signing_key.c.kid)
                )
            ).scalars()
        )
        kid = await _insert_new_key(session, passphrase)
        await session.execute(
            insert(audit_log).values(
                id=uuid.uuid4(),
                actor_id=None,
                action="signing_key.rotated",
                subject_id=None,
                before={"active_kids": retiring},
                after={
                    "kid": kid,
                    "retiring": retiring,
                    "retired_at": retire_at.isoformat(),
                    "retired_immediately": retire_now,
                },
                at=now,
            )
        )
    return kid, retiring


class KeyRing:
    """identity's non-retired keys: the newest signs, all verify (a KeySource for TokenVerifier).

    Reloaded from the database at least every cache_seconds, like the other verifiers' JWKS caches, so a
    key retired at once stops verifying here too.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        min_reload_seconds: float = 5.0,
        cache_seconds: float = 300.0,
        passphrase: str | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._passphrase = passphrase
        self._keys: list[StoredKey] = []
        self._loaded_at = 0.0
        self._min_reload = min(min_reload_seconds, cache_seconds)
        self._cache_seconds = cache_seconds
        self._lock = asyncio.Lock()

    async def signing_key(self) -> StoredKey:
        if not self._keys:
            await self._load(force=True)
        elif time.monotonic() - self._loaded_at > min(SIGNING_KEY_RELOAD_SECONDS, self._cache_seconds):
            # after a rotation with --retire-now, stop signing with the retired key as soon as verifiers drop it
            await self._load(force=False)
        return self._keys[0]

    async def key_for(self, kid: str) -> Any:
        if self._keys and time.monotonic() - self._loaded_at >= self._cache_seconds:
            await self._load(force=False)
        key = self._find(kid)
        if key is None:
            await self._load(force=not self._keys)
            key = self._find(kid)
        if key is None:
            raise InvalidToken("token signed by an unknown key")
        return key.private_key.public_key()

    async def jwks(self) -> dict[str, Any]:
        await self._load(force=True)
        return {"keys": [key.public_jwk for key in self._keys]}

    def _find(self, kid: str) -> StoredKey | None:
        now = datetime.now(UTC)
        return next((key for key in self._keys if key.kid == kid and key.is_live(now)), None)

    async def _load(self, *, force: bool) -> None:
        async with self._lock:
            if not force and time.monotonic() - self._loaded_at < self._min_reload:
                return
            if force and not self._keys:
                await ensure_signing_key(self._session_factory, self._passphrase)
            async with self._session_factory() as session:
                rows = (
                    await session.execute(
                        select(
                            signing_key.c.kid,
                            signing_key.c.private_key_pem,
                            signing_key.c.public_jwk,
                            signing_key.c.retired_at,
                        )
                        .where(or_(signing_key.c.retired_at.is_(None), signing_key.c.retired_at > func.now()))
                        .order_by(signing_key.c.created_at.desc(), signing_key.c.kid)
                    )
                ).all()
            self._keys = [
                StoredKey(
                    row.kid,
                    load_private_key(row.kid, row.private_key_pem, self._passphrase),
                    row.public_jwk,
                    row.retired_at,
                )
                for row in rows
            ]
            self._loaded_at = time.monotonic()


class JwtAccessTokenIssuer:
    """Signs access tokens exactly as docs/services.md "Tokens" describes."""

    def __init__(self, keys: KeyRing, settings: AuthSettings, *, ttl_seconds: int = 900) -> None:
        self._keys = keys
        self._settings = settings
        self.ttl_seconds = ttl_seconds

    async def issue(
        self,
        member_id: uuid.UUID,
        role: str,
        *,
        must_change_password: bool,
        session_id: uuid.UUID,
        ttl_seconds: int | None = None,
    ) -> str:
        key = await self._keys.signing_key()
        now = datetime.now(UTC)
        claims = {
            # Fractional seconds: a revocation's not_before compares with iat, and a token issued in
            # the same second just after a role change must not look older than the change.
            "iat": now.timestamp(),
            "sid": str(session_id),
            "iss": self._settings.issuer,
            "aud": self._settings.audience,
            "sub": str(member_id),
            "role": role,
            "pwd_change": must_change_password,
            "exp": now + timedelta(seconds=self.ttl_seconds if ttl_seconds is None else ttl_seconds),
            "jti": secrets.token_hex(16),
        }
        return jwt.encode(
            claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid, "typ": ACCESS_TOKEN_TYPE}
        )
