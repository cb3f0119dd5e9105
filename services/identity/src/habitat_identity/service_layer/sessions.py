"""Issuing token pairs: a signed access token and a rotating opaque refresh token."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from habitat_identity.domain.model import Member, RefreshToken
from habitat_identity.service_layer.ports import AccessTokenIssuer, UnitOfWork

REFRESH_TOKEN_LIFETIME = timedelta(days=30)


@dataclass(frozen=True)
class TokenPair:
    """What a successful sign-in, refresh or password change returns."""

    access_token: str
    refresh_token: str
    expires_in: int
    must_change_password: bool
    session_id: uuid.UUID


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(
    member: Member,
    uow: UnitOfWork,
    issuer: AccessTokenIssuer,
    now: datetime,
    *,
    family_id: uuid.UUID | None = None,
) -> TokenPair:
    """Stage a new refresh token (in family_id, or a new family = a new session) and sign an access token (sid = family)."""
    opaque = secrets.token_urlsafe(32)
    family_id = family_id or uuid.uuid4()
    uow.refresh_tokens.add(
        RefreshToken(
            id=uuid.uuid4(),
            family_id=family_id,
            member_id=member.id,
            token_hash=hash_refresh_token(opaque),
            created_at=now,
            expires_at=now + REFRESH_TOKEN_LIFETIME,
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
    )
