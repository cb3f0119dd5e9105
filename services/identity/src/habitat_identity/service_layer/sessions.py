"""Issuing token pairs: a signed access token and a rotating opaque refresh token."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from habitat_identity.domain.model import Member, RefreshToken
from habitat_identity.domain.sessions import SessionRules
from habitat_identity.service_layer.ports import AccessTokenIssuer, UnitOfWork

DEFAULT_RULES = SessionRules()


@dataclass(frozen=True)
class TokenPair:
    """What a successful sign-in, refresh or password change returns."""

    access_token: str
    refresh_token: str
    expires_in: int
    must_change_password: bool
    session_id: uuid.UUID
    refresh_expires_at: datetime | None = None


class PairSealer(Protocol):
    """Keeps the pair a refresh returned so that only the refresh token traded for it can read it back."""

    def seal(self, pair: TokenPair, presented: str) -> str: ...

    def open(self, sealed: str, presented: str) -> TokenPair | None:
        """The pair, or None when `presented` is not the token it was sealed with."""


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(
    member: Member,
    uow: UnitOfWork,
    issuer: AccessTokenIssuer,
    now: datetime,
    *,
    family_id: uuid.UUID | None = None,
    kind: str = "api",
    started_at: datetime | None = None,
    rules: SessionRules = DEFAULT_RULES,
) -> TokenPair:
    """Stage a new refresh token (in family_id, or a new family = a new session) and sign an access token (sid = family).

    The refresh token expires after the kind's idle timeout, never past the session's absolute limit.
    """
    opaque = secrets.token_urlsafe(32)
    family_id = family_id or uuid.uuid4()
    started_at = started_at or now
    expires_at = rules.policy(kind).token_expiry(started_at, now)
    uow.refresh_tokens.add(
        RefreshToken(
            id=uuid.uuid4(),
            family_id=family_id,
            member_id=member.id,
            token_hash=hash_refresh_token(opaque),
            created_at=now,
            expires_at=expires_at,
            session_kind=kind,
            session_started_at=started_at,
        )
    )
    access = await issuer.issue(
        member.id, member.role, must_change_password=member.must_change_password, session_id=family_id
    )
    return TokenPair(
        access_token=access,
        refresh_token=opaque,
        expires_in=issuer.ttl_seconds,
        must_change_password=member.must_change_password,
        session_id=family_id,
        refresh_expires_at=expires_at,
    )


async def answer_again(
    token: RefreshToken,
    presented: str,
    uow: UnitOfWork,
    sealer: PairSealer | None,
    rules: SessionRules,
    now: datetime,
) -> TokenPair | None:
    """The pair `token` was just traded for, if it may answer once more: within the grace after its
    rotation, not revoked, and its successor not yet used (then it is no longer the previous token)."""
    if sealer is None or token.revoked_at is not None or token.rotated_at is None or not token.successor_sealed:
        return None
    if now - token.rotated_at > rules.reuse_grace:
        return None
    pair = sealer.open(token.successor_sealed, presented)
    if pair is None:
        return None
    successor = await uow.refresh_tokens.get_by_hash(hash_refresh_token(pair.refresh_token))
    if successor is None or successor.was_used():
        return None
    token.successor_sealed = None  # once more, not twice more
    return pair
