"""Access-token verification against identity's public keys (JWKS)."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx
import jwt

from habitat_common.revocation import RevocationList
from habitat_common.settings import AuthSettings

ALGORITHMS = ["EdDSA"]
ACCESS_TOKEN_TYPE = "at+jwt"
ROLE_RANK = {"member": 0, "steward": 1, "admin": 2}


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not signed by a key we trust."""


@dataclass(frozen=True)
class Principal:
    """Who is calling, as proven by a verified access token."""

    member_id: uuid.UUID
    role: str
    must_change_password: bool
    token: str
    session_id: uuid.UUID | None = None

    def has_role(self, minimum: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[minimum]


class KeySource(Protocol):
    async def key_for(self, kid: str) -> Any: ...


class JwksKeySource:
    """identity's JWKS, cached for cache_seconds and then fetched again and replaced whole (a key identity
    no longer publishes stops verifying); an unknown kid refetches at most every min_refresh_seconds."""

    def __init__(
        self,
        url: str,
        *,
        cache_seconds: float = 300.0,
        min_refresh_seconds: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = url
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._cache_seconds = cache_seconds
        self._min_refresh = min(min_refresh_seconds, cache_seconds)
        self._transport = transport
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str) -> Any:
        expired = time.monotonic() - self._fetched_at >= self._cache_seconds
        if expired or kid not in self._keys:
            await self._refresh()
        try:
            return self._keys[kid]
        except KeyError:
            raise InvalidToken("token signed by an unknown key") from None

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at < self._min_refresh and self._keys:
                return
            try:
                async with httpx.AsyncClient(timeout=3.0, transport=self._transport) as client:
                    response = await client.get(self._url)
                    response.raise_for_status()
            except httpx.HTTPError as error:
                if self._keys:
                    # identity briefly away: keep the last set (it still names only keys identity published)
                    # rather than refuse every token; retried on the next call after min_refresh
                    self._fetched_at = time.monotonic() - self._cache_seconds + self._min_refresh
                    return
                raise InvalidToken("cannot fetch signing keys") from error
            jwk_set = jwt.PyJWKSet.from_dict(response.json())
            self._keys = {key.key_id: key.key for key in jwk_set.keys}
            self._fetched_at = time.monotonic()


@dataclass(frozen=True)
class _Verified:
    principal: Principal
    issued_at: datetime
    expires_at: float
    kid: str


class TokenVerifier:
    """Checks signature, algorithm, issuer, audience, expiry and token type.

    A token whose signature was verified is remembered until it expires, so each request does not pay
    for the signature again; expiry, revocation and that its key (kid) is still published are checked on
    every use.
    """

    CACHE_SIZE = 10_000

    def __init__(self, settings: AuthSettings, keys: KeySource, revocations: RevocationList | None = None) -> None:
        self._settings = settings
        self._keys = keys
        self.revocations = revocations
        self._verified: dict[str, _Verified] = {}

    async def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is None:
            known = await self._verify_signature(token)
            if len(self._verified) >= self.CACHE_SIZE:
                self._verified.clear()  # cheap bound: entries refill on the next use
            self._verified[token] = known
        else:
            try:
                await self._keys.key_for(known.kid)  # a retired key ends its tokens, remembered or not
            except InvalidToken:
                self._verified.pop(token, None)
                raise
        if time.time() >= known.expires_at:
            self._verified.pop(token, None)
            raise InvalidToken("token expired")
        principal = known.principal
        if self.revocations and self.revocations.is_revoked(principal.member_id, principal.session_id, known.issued_at):
            raise InvalidToken("session ended")
        return principal

    async def _verify_signature(self, token: str) -> _Verified:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidToken("malformed token") from error
        if header.get("alg") not in ALGORITHMS or header.get("typ") != ACCESS_TOKEN_TYPE:
            raise InvalidToken("not an access token")
        kid = str(header.get("kid"))
        key = await self._keys.key_for(kid)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
            principal = Principal(
                member_id=uuid.UUID(claims["sub"]),
                role=claims["role"] if claims.get("role") in ROLE_RANK else "member",
                must_change_password=bool(claims.get("pwd_change", False)),
                token=token,
                session_id=uuid.UUID(claims["sid"]) if claims.get("sid") else None,
            )
            issued_at = datetime.fromtimestamp(claims["iat"], UTC)
            expires_at = float(claims["exp"])
        except (jwt.PyJWTError, ValueError, KeyError, TypeError) as error:
            raise InvalidToken(str(error)) from error
        return _Verified(principal, issued_at, expires_at, kid)
