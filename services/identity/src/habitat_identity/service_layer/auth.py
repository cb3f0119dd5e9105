"""Use cases of signing in and out: login, refresh, logout, change password."""

from __future__ import annotations

from datetime import UTC, datetime

from habitat_identity.domain.commands import ChangePassword
from habitat_identity.domain.errors import (
    InvalidCredentials,
    InvalidPassword,
    InvalidRefreshToken,
    MemberNotFound,
    TooManyAttempts,
)
from habitat_identity.domain.model import Revocation, normalize_email
from habitat_identity.domain.passwords import check_password_policy
from habitat_identity.domain.throttle import STALE_AFTER, AccountLockout, ClientLimit
from habitat_identity.service_layer.ports import (
    AccessTokenIssuer,
    Clock,
    PasswordHasher,
    PasswordStrengthEstimator,
    UnitOfWork,
)
from habitat_identity.service_layer.sessions import TokenPair, hash_refresh_token, start_session

PRUNE_PER_FAILURE = 100
ACCOUNT_LOCKOUT = AccountLockout()
CLIENT_LIMIT = ClientLimit()


def utcnow() -> datetime:
    return datetime.now(UTC)


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return utcnow()


async def login(
    email: str,
    password: str,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    issuer: AccessTokenIssuer,
    *,
    client: str = "unknown",
    clock: Clock | None = None,
) -> TokenPair:
    """Exchange email and password for tokens; one answer for unknown email, wrong password, inactive.

    Failures are counted per email (known or not) and per client; while either is over its limit
    the answer is TooManyAttempts, before any password is checked.
    """
    clock = clock or SystemClock()
    email = normalize_email(email)
    account_key, client_key = ACCOUNT_LOCKOUT.key(email), CLIENT_LIMIT.key(client)
    async with uow:
        waits = [
            t.retry_after(clock.now())
            for t in (await uow.throttles.get(account_key), await uow.throttles.get(client_key))
            if t
        ]
        if any(waits):
            raise TooManyAttempts(max(w for w in waits if w))
        member = await uow.members.get_by_email(email)
        if member is None:
            await hasher.verify_dummy(password)
            ok = False
        else:
            ok = await hasher.verify(member.password_hash, password) and member.can_sign_in
        if not ok or member is None:
            now = clock.now()
            ACCOUNT_LOCKOUT.record_failure(await uow.throttles.lock(account_key), now)
            CLIENT_LIMIT.record_failure(await uow.throttles.lock(client_key), now)
            # only failures create counters, so each one also clears a few dead ones: the table stays small
            await uow.throttles.prune(now, now - STALE_AFTER, PRUNE_PER_FAILURE)
            await uow.commit()
            raise InvalidCredentials()
        await uow.throttles.forget(account_key)
        if hasher.needs_rehash(member.password_hash):
            member.rehash(await hasher.hash(password))
        pair = await start_session(member, uow, issuer, clock.now())
        await uow.commit()
        return pair


async def refresh(refresh_token: str, uow: UnitOfWork, issuer: AccessTokenIssuer) -> TokenPair:
    """Rotate a refresh token; presenting one already used revokes its whole family."""
    now = utcnow()
    async with uow:
        token = await uow.refresh_tokens.get_by_hash(hash_refresh_token(refresh_token))
        if token is None:
            raise InvalidRefreshToken()
        if token.was_used():
            # Reuse means the token leaked (or a client raced itself): end every session of that login.
            await uow.refresh_tokens.revoke_family(token.family_id, now)
            uow.revocations.add(Revocation(token.member_id, session_id=token.family_id))
            await uow.commit()
            raise InvalidRefreshToken()
        if token.is_expired(now):
            raise InvalidRefreshToken()
        member = await uow.members.get(token.member_id)
        if member is None or not member.can_sign_in:
            raise InvalidRefreshToken()
        token.rotated_at = now
        pair = await start_session(member, uow, issuer, now, family_id=token.family_id)
        await uow.commit()
        return pair


async def logout(refresh_token: str, uow: UnitOfWork) -> None:
    """End the session of a refresh token; unknown or already revoked tokens are ignored."""
    async with uow:
        token = await uow.refresh_tokens.get_by_hash(hash_refresh_token(refresh_token))
        if token is None or token.revoked_at is not None:
            return
        await uow.refresh_tokens.revoke_family(token.family_id, utcnow())
        uow.revocations.add(Revocation(token.member_id, session_id=token.family_id))
        await uow.commit()


async def change_password(
    command: ChangePassword,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    issuer: AccessTokenIssuer,
    strength: PasswordStrengthEstimator,
) -> TokenPair:
    """Replace the password (activating a pending member), end other sessions, return fresh tokens."""
    now = utcnow()
    async with uow:
        member = await uow.members.get(command.member_id)
        if member is None or not member.can_sign_in:
            raise MemberNotFound()
        if not await hasher.verify(member.password_hash, command.current_password):
            raise InvalidPassword()
        check_password_policy(
            command.new_password,
            email=member.email,
            display_name=member.display_name,
            current=command.current_password,
            strength=await strength.estimate(command.new_password, [member.email, member.display_name]),
        )
        member.set_password(await hasher.hash(command.new_password), now)
        pair = await start_session(member, uow, issuer, now)
        for family in await uow.refresh_tokens.revoke_all_of(member.id, now, except_family=pair.session_id):
            uow.revocations.add(Revocation(member.id, session_id=family))
        await uow.commit()
        return pair
