"""Use cases of signing in and out: login, refresh, logout, change password."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from habitat_identity.domain.commands import ChangePassword
from habitat_identity.domain.errors import (
    InvalidCredentials,
    InvalidPassword,
    InvalidRefreshToken,
    MemberNotFound,
    TemporaryPasswordExpired,
)
from habitat_identity.domain.events import NewDeviceSignedIn
from habitat_identity.domain.model import Member, Revocation, normalize_email
from habitat_identity.domain.passwords import check_password_policy
from habitat_identity.domain.sessions import SessionRules
from habitat_identity.domain.throttle import RequestLimit, client_key
from habitat_identity.service_layer.lockout import (
    ACCOUNT_LOCKOUT,
    CLIENT_LIMIT,
    attempt_succeeded,
    count_attempt,
)
from habitat_identity.service_layer.ports import (
    AccessTokenIssuer,
    Clock,
    DeviceCookies,
    PasswordHasher,
    PasswordStrengthEstimator,
    UnitOfWork,
)
from habitat_identity.service_layer.sessions import (
    DEFAULT_RULES,
    PairSealer,
    TokenPair,
    answer_again,
    hash_refresh_token,
    start_session,
)

NEW_DEVICE_NOTICES = RequestLimit("new-device", max_requests=1, window=timedelta(hours=24))
"""A member hears of sign-ins from new devices at most once a day per client network (a script signing in
through the API without cookies would otherwise mail them every time)."""
USER_AGENT_CHARACTERS = 200


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
    device_cookie: str | None = None,
    devices: DeviceCookies | None = None,
    clock: Clock | None = None,
    session_kind: str = "api",
    rules: SessionRules = DEFAULT_RULES,
    user_agent: str = "",
) -> TokenPair:
    """Exchange email and password for tokens; one answer for unknown email, wrong password, inactive.

    Attempts are counted per email (known or not) and per client before the password is checked, and
    a success takes its count back; while either is over its limit the answer is TooManyAttempts. A
    browser holding this account's device cookie skips the per-client limit, never the account's
    lockout. A right but expired temporary password is TemporaryPasswordExpired (and stays counted).
    A success without this account's device cookie tells the member by mail (NewDeviceSignedIn), unless it
    is their first sign-in ever or they heard of this client network within the day.
    """
    clock = clock or SystemClock()
    email = normalize_email(email)
    trusted = devices is not None and devices.trusts(device_cookie, email)
    account_key, client_key = ACCOUNT_LOCKOUT.key(email), None if trusted else CLIENT_LIMIT.key(client)
    async with uow:
        await count_attempt(uow, account_key, client_key, clock.now())
        member = await uow.members.get_by_email(email)
        stored_hash = member.password_hash if member else None
        await uow.commit()
    if stored_hash is None:
        await hasher.verify_dummy(password)
        raise InvalidCredentials()
    if not await hasher.verify(stored_hash, password):
        raise InvalidCredentials()
    async with uow:
        member = await uow.members.get_by_email(email)
        if member is None or not member.can_sign_in or member.password_hash != stored_hash:
            raise InvalidCredentials()
        if member.temporary_password_expired(clock.now()):
            raise TemporaryPasswordExpired()
        await attempt_succeeded(uow, account_key, client_key)
        if hasher.needs_rehash(member.password_hash):
            member.rehash(await hasher.hash(password))
        if devices is not None and not trusted:
            await _notice_new_device(member, uow, client, user_agent, clock.now())
        pair = await start_session(member, uow, issuer, clock.now(), kind=session_kind, rules=rules)
        await uow.commit()
        return pair


async def _notice_new_device(member: Member, uow: UnitOfWork, client: str, user_agent: str, now: datetime) -> None:
    if not await uow.refresh_tokens.any_of(member.id):
        return  # the first sign-in ever: the member has just chosen their password, no news to them
    seen = await uow.throttles.lock(NEW_DEVICE_NOTICES.key(f"{member.id}:{client_key(client)}"))
    if NEW_DEVICE_NOTICES.allows(seen, now):
        member.events.append(NewDeviceSignedIn(
            member_id=member.id, email=member.email, display_name=member.display_name, signed_in_at=now,
            client=client, user_agent=user_agent[:USER_AGENT_CHARACTERS],
        ))


async def refresh(
    refresh_token: str,
    uow: UnitOfWork,
    issuer: AccessTokenIssuer,
    *,
    rules: SessionRules = DEFAULT_RULES,
    sealer: PairSealer | None = None,
    clock: Clock | None = None,
) -> TokenPair:
    """Rotate a refresh token; presenting one already used revokes its whole family.

    The new token expires after the session's idle timeout and never past its absolute limit. The
    token just traded in answers once more within the reuse grace with the very same pair (two tabs
    refreshing at once keep the session); any later use is reuse.
    """
    now = (clock or SystemClock()).now()
    async with uow:
        token = await uow.refresh_tokens.get_by_hash(hash_refresh_token(refresh_token))
        if token is None:
            raise InvalidRefreshToken()
        again = await answer_again(token, refresh_token, uow, sealer, rules, now)
        if again is not None:
            await uow.commit()
            return again
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
        pair = await start_session(
            member,
            uow,
            issuer,
            now,
            family_id=token.family_id,
            kind=token.session_kind,
            started_at=token.session_started_at or token.created_at,
            rules=rules,
        )
        if sealer is not None:
            token.successor_sealed = sealer.seal(pair, refresh_token)
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
    *,
    clock: Clock | None = None,
    session_kind: str = "api",
    rules: SessionRules = DEFAULT_RULES,
) -> TokenPair:
    """Replace the password (activating a pending member), end other sessions, return fresh tokens.

    The current password is a guess like a sign-in's: counted toward the account's lockout before it
    is checked (TooManyAttempts while locked), and a right one ends the run of failures.
    """
    clock = clock or SystemClock()
    async with uow:
        member = await uow.members.get(command.member_id)
        if member is None or not member.can_sign_in:
            raise MemberNotFound()
        account_key, stored_hash = ACCOUNT_LOCKOUT.key(member.email), member.password_hash
        await count_attempt(uow, account_key, None, clock.now())
        await uow.commit()
    if not await hasher.verify(stored_hash, command.current_password):
        raise InvalidPassword()
    async with uow:
        await attempt_succeeded(uow, account_key, None)
        await uow.commit()
    async with uow:
        member = await uow.members.get(command.member_id)
        if member is None or not member.can_sign_in or member.password_hash != stored_hash:
            raise InvalidPassword()
        if member.temporary_password_expired(clock.now()):
            raise TemporaryPasswordExpired()
        check_password_policy(
            command.new_password,
            email=member.email,
            display_name=member.display_name,
            current=command.current_password,
            strength=await strength.estimate(command.new_password, [member.email, member.display_name]),
        )
        now = clock.now()
        member.set_password(await hasher.hash(command.new_password), now)
        pair = await start_session(member, uow, issuer, now, kind=session_kind, rules=rules)
        for family in await uow.refresh_tokens.revoke_all_of(member.id, now, except_family=pair.session_id):
            uow.revocations.add(Revocation(member.id, session_id=family))
        # the member chose a password: a reset or invitation link still in a mailbox must not replace it
        await uow.password_tokens.revoke_unused(member.id, now)
        await uow.commit()
        return pair
