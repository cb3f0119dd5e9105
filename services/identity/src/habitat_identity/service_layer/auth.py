"""Use cases of signing in and out: login, refresh, logout, change password."""

from __future__ import annotations

from datetime import UTC, datetime

from habitat_identity.domain.commands import ChangePassword
from habitat_identity.domain.errors import InvalidCredentials, InvalidPassword, InvalidRefreshToken, MemberNotFound
from habitat_identity.domain.model import normalize_email
from habitat_identity.domain.passwords import check_password_policy
from habitat_identity.service_layer.ports import AccessTokenIssuer, PasswordHasher, UnitOfWork
from habitat_identity.service_layer.sessions import TokenPair, hash_refresh_token, start_session


def utcnow() -> datetime:
    return datetime.now(UTC)


async def login(
    email: str, password: str, uow: UnitOfWork, hasher: PasswordHasher, issuer: AccessTokenIssuer
) -> TokenPair:
    """Exchange email and password for tokens; one answer for unknown email, wrong password, inactive."""
    async with uow:
        member = await uow.members.get_by_email(normalize_email(email))
        if member is None:
            await hasher.verify_dummy(password)
            raise InvalidCredentials()
        if not await hasher.verify(member.password_hash, password) or not member.can_sign_in:
            raise InvalidCredentials()
        if hasher.needs_rehash(member.password_hash):
            member.rehash(await hasher.hash(password))
        pair = await start_session(member, uow, issuer, utcnow())
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
    """Revoke a refresh token; unknown or already revoked tokens are ignored."""
    async with uow:
        token = await uow.refresh_tokens.get_by_hash(hash_refresh_token(refresh_token))
        if token is None or token.revoked_at is not None:
            return
        token.revoked_at = utcnow()
        await uow.commit()


async def change_password(
    command: ChangePassword, uow: UnitOfWork, hasher: PasswordHasher, issuer: AccessTokenIssuer
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
        )
        member.set_password(await hasher.hash(command.new_password), now)
        await uow.refresh_tokens.revoke_all_of(member.id, now)
        pair = await start_session(member, uow, issuer, now)
        await uow.commit()
        return pair
