"""Use cases of choosing a password by a link: forgot password (reset) and invitations.

A reset request answers the same whether or not the address belongs to anyone: the caller learns
nothing, and the work that differs (issuing the token) runs after the answer (see the route).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from habitat_identity.domain.errors import InvalidPasswordToken, MemberNotFound, TooManyAttempts
from habitat_identity.domain.model import AuditEntry, Member, Revocation, normalize_email
from habitat_identity.domain.password_tokens import (
    INVITATION,
    INVITATION_TTL,
    RESET,
    RESET_TTL,
    PasswordToken,
    hash_password_token,
    issue_password_token,
)
from habitat_identity.domain.passwords import check_password_policy
from habitat_identity.domain.throttle import STALE_AFTER, RequestLimit, client_key
from habitat_identity.service_layer.auth import SystemClock
from habitat_identity.service_layer.lockout import ACCOUNT_LOCKOUT, PRUNE_PER_ATTEMPT
from habitat_identity.service_layer.ports import Clock, PasswordHasher, PasswordStrengthEstimator, UnitOfWork

# Per email: enough for a member whose mail is slow to ask again, too few to flood a mailbox.
RESET_PER_EMAIL = RequestLimit("reset-email", max_requests=5, window=timedelta(hours=1))
# Per client: a whole office may share one address; a script walking a list of addresses may not.
RESET_PER_CLIENT = RequestLimit("reset-client", max_requests=20, window=timedelta(minutes=15))
ACTIONS = {RESET: "member.password_reset", INVITATION: "member.invitation_accepted"}


async def admit_reset_request(email: str, client: str, uow: UnitOfWork, now: datetime) -> bool:
    """Count a forgot-password request; TooManyAttempts when the client is over its limit.

    False (and nothing may be sent) when the address had its share of mails: the caller still gets
    the usual answer, so the limit tells nothing about the address and never floods a mailbox.
    client is the caller's address (an IPv6 one counts by its /64, as sign-ins do).
    """
    async with uow:
        per_client = await uow.throttles.lock(RESET_PER_CLIENT.key(client_key(client)))
        if not RESET_PER_CLIENT.allows(per_client, now):
            raise TooManyAttempts(per_client.retry_after(now) or 1)
        account = await uow.throttles.lock(RESET_PER_EMAIL.key(normalize_email(email)))
        allowed = RESET_PER_EMAIL.allows(account, now)
        await uow.throttles.prune(now, now - STALE_AFTER, PRUNE_PER_ATTEMPT)
        await uow.commit()
    return allowed


async def request_password_reset(
    email: str, uow: UnitOfWork, *, ttl: timedelta = RESET_TTL, clock: Clock | None = None
) -> bool:
    """Issue a reset link to an active or pending member (superseding older links); False for anyone else."""
    now = (clock or SystemClock()).now()
    async with uow:
        member = await uow.members.get_by_email(normalize_email(email))
        if member is None or not member.can_sign_in:
            return False
        await _issue(member, RESET, now, ttl, uow)
        await uow.commit()
    return True


async def invite_member(
    member_id: uuid.UUID, actor_id: uuid.UUID | None, uow: UnitOfWork, *,
    ttl: timedelta = INVITATION_TTL, clock: Clock | None = None,
) -> PasswordToken:
    """Send a member a new invitation link (admins); older links stop working. 422 for an inactive member."""
    now = (clock or SystemClock()).now()
    async with uow:
        member = await uow.members.get(member_id)
        if member is None:
            raise MemberNotFound()
        token = await _issue(member, INVITATION, now, ttl, uow)
        uow.audit.add(AuditEntry(actor_id, "member.invited", member.id, None, _expiry(token), now))
        await uow.commit()
    return token


def stage_invitation(member: Member, actor_id: uuid.UUID | None, uow: UnitOfWork, now: datetime,
                     ttl: timedelta = INVITATION_TTL) -> PasswordToken:
    """An invitation for a member created in this transaction (it has no older links to supersede)."""
    token = issue_password_token(member, INVITATION, now, ttl)
    uow.password_tokens.add(token)
    uow.audit.add(AuditEntry(actor_id, "member.invited", member.id, None, _expiry(token), now))
    return token


async def set_password_with_token(
    raw_token: str, new_password: str, purpose: str, uow: UnitOfWork, hasher: PasswordHasher,
    strength: PasswordStrengthEstimator, *, clock: Clock | None = None,
) -> Member:
    """Set the password a link's holder chose: the policy applies, the link is spent, every session ends.

    A pending member becomes active. A refused password leaves the link usable (the form is tried
    again); unknown, superseded, used or expired links raise InvalidPasswordToken and its kinds.
    """
    clock = clock or SystemClock()
    token_hash = hash_password_token(raw_token)
    async with uow:
        member = await _holder(token_hash, purpose, uow, clock.now())
        check_password_policy(
            new_password, email=member.email, display_name=member.display_name,
            strength=await strength.estimate(new_password, [member.email, member.display_name]),
        )
    password_hash = await hasher.hash(new_password)  # slow: outside the transaction holding the token's lock
    async with uow:
        now = clock.now()
        member = await _holder(token_hash, purpose, uow, now)
        token = await uow.password_tokens.get_by_hash(token_hash)
        assert token is not None  # _holder found it in this very transaction
        token.use(purpose, now)
        await uow.password_tokens.revoke_unused(member.id, now)
        member.set_password(password_hash, now)
        await uow.refresh_tokens.revoke_all_of(member.id, now)
        uow.revocations.add(Revocation(member.id, not_before=now))
        # the mailbox's owner proved who they are: a lockout from someone's guesses ends with it
        await uow.throttles.forget(ACCOUNT_LOCKOUT.key(member.email))
        uow.audit.add(AuditEntry(member.id, ACTIONS[purpose], member.id, None, {"status": member.status}, now))
        await uow.commit()
    return member


async def _holder(token_hash: str, purpose: str, uow: UnitOfWork, now: datetime) -> Member:
    token = await uow.password_tokens.get_by_hash(token_hash)
    if token is None:
        raise InvalidPasswordToken()
    token.check_usable(purpose, now)
    member = await uow.members.get(token.member_id)
    if member is None or not member.can_sign_in:
        raise InvalidPasswordToken()
    return member


async def _issue(member: Member, purpose: str, now: datetime, ttl: timedelta, uow: UnitOfWork) -> PasswordToken:
    await uow.password_tokens.revoke_unused(member.id, now)
    token = issue_password_token(member, purpose, now, ttl)
    uow.password_tokens.add(token)
    return token


def _expiry(token: PasswordToken) -> dict[str, str]:
    return {"invitation_expires_at": token.expires_at.isoformat()}
