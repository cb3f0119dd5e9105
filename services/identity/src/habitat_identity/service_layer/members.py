"""Use cases of managing members: create, update, read, list, ensure an admin exists."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from habitat_identity.domain.commands import CreateMember, EnsureAdmin, UpdateMember
from habitat_identity.domain.errors import CannotChangeSelf, EmailTaken, MemberNotFound
from habitat_identity.domain.model import (
    TEMPORARY_PASSWORD_TTL,
    AuditEntry,
    Member,
    Revocation,
    changed_fields,
    normalize_email,
)
from habitat_identity.domain.password_tokens import INVITATION_TTL, PasswordToken
from habitat_identity.domain.passwords import check_password_policy
from habitat_identity.service_layer.auth import utcnow
from habitat_identity.service_layer.ports import MemberViews, PasswordHasher, PasswordStrengthEstimator, UnitOfWork
from habitat_identity.service_layer.recovery import stage_invitation


@dataclass(frozen=True)
class CreatedMember:
    """A new member, the one-time temporary password to hand over, and the invitation mailed (if any)."""

    member: Member
    temporary_password: str
    invitation: PasswordToken | None = None


def new_temporary_password() -> str:
    """A one-time password to hand over; the member must replace it at first sign-in.

    It never starts with "-": a credentials CSV would have to write that cell as text ('-...), and the
    password an admin copies from the file must be the password."""
    while (password := secrets.token_urlsafe(12)).startswith("-"):
        pass
    return password


async def create_member(
    command: CreateMember, actor_id: uuid.UUID | None, uow: UnitOfWork, hasher: PasswordHasher,
    *, today: date | None = None, temporary_password_ttl: timedelta = TEMPORARY_PASSWORD_TTL,
    send_invitation: bool = True, invitation_ttl: timedelta = INVITATION_TTL,
) -> CreatedMember:
    """Register a pending member with a temporary password (expiring after temporary_password_ttl); 409
    when the email is taken.

    Unless send_invitation is False (the admin hands the temporary password over in person), the
    member is also mailed an invitation: a single-use link to choose a password, valid invitation_ttl.
    joined_at defaults to `today`, the co-op's date (its time zone), not the server's.
    """
    temporary = new_temporary_password()
    password_hash = await hasher.hash(temporary)
    now = utcnow()
    async with uow:
        if await uow.members.get_by_email(normalize_email(command.email)) is not None:
            raise EmailTaken()
        member = Member.register(
            email=command.email,
            display_name=command.display_name,
            role=command.role,
            joined_at=command.joined_at or today or now.date(),
            password_hash=password_hash,
            now=now,
            temporary_password_ttl=temporary_password_ttl,
        )
        uow.members.add(member)
        uow.audit.add(AuditEntry(actor_id, "member.created", member.id, None, member.snapshot(), now))
        invitation = stage_invitation(member, actor_id, uow, now, invitation_ttl) if send_invitation else None
        await uow.commit()
        return CreatedMember(member, temporary, invitation)


async def issue_temporary_password(
    member_id: uuid.UUID, actor_id: uuid.UUID, uow: UnitOfWork, hasher: PasswordHasher,
    *, temporary_password_ttl: timedelta = TEMPORARY_PASSWORD_TTL,
) -> CreatedMember:
    """Replace a member's password with a new one-time temporary password (theirs expired or was lost).

    It expires after temporary_password_ttl and must be changed at the next sign-in; every session of
    the member ends. An admin changes their own password themselves (409 cannot_change_self).
    """
    if member_id == actor_id:
        raise CannotChangeSelf("Change your own password with the password form.")
    temporary = new_temporary_password()
    password_hash = await hasher.hash(temporary)
    now = utcnow()
    async with uow:
        member = await uow.members.get(member_id)
        if member is None:
            raise MemberNotFound()
        member.issue_temporary_password(password_hash, now, temporary_password_ttl)
        await uow.refresh_tokens.revoke_all_of(member.id, now)
        uow.revocations.add(Revocation(member.id, not_before=now))
        expires = {"temporary_password_expires_at": (now + temporary_password_ttl).isoformat()}
        uow.audit.add(AuditEntry(actor_id, "member.temporary_password_issued", member.id, None, expires, now))
        await uow.commit()
        return CreatedMember(member, temporary)


async def update_member(command: UpdateMember, actor_id: uuid.UUID, uow: UnitOfWork) -> Member:
    """Change role, status or name; deactivation and role changes end the member's current tokens."""
    now = utcnow()
    async with uow:
        member = await uow.members.get(command.member_id)
        if member is None:
            raise MemberNotFound()
        if member.would_demote_self(actor_id, command.role, command.status):
            raise CannotChangeSelf()
        before = member.snapshot()
        changed = member.update(now=now, role=command.role, status=command.status, display_name=command.display_name)
        if changed:
            await record_member_change(member, before, actor_id, uow, now)
            await uow.commit()
        return member


async def record_member_change(
    member: Member, before: dict, actor_id: uuid.UUID | None, uow: UnitOfWork, now: datetime
) -> None:
    """Audit a change and end the tokens it makes stale (role change: re-sign-in; deactivation: all sessions)."""
    after = member.snapshot()
    if after["status"] == "inactive" and before["status"] != "inactive":
        action = "member.deactivated"
        await uow.refresh_tokens.revoke_all_of(member.id, now)
        await uow.password_tokens.revoke_unused(member.id, now)  # a reactivation must not revive old links
    elif before["status"] == "inactive" and after["status"] != "inactive":
        action = "member.reactivated"
    else:
        action = "member.updated"
    if action == "member.deactivated" or after["role"] != before["role"]:
        uow.revocations.add(Revocation(member.id, not_before=now))
    old, new = changed_fields(before, after)
    uow.audit.add(AuditEntry(actor_id, action, member.id, old, new, now))


async def member_view(member_id: uuid.UUID, views: MemberViews) -> dict[str, Any]:
    """One member's public fields, for the pages that ask on every view (`/me`, a member's record)."""
    member = await views.member(member_id)
    if member is None:
        raise MemberNotFound()
    return member


async def list_members(
    uow: UnitOfWork,
    *,
    q: str | None = None,
    role: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
    after: tuple[str, uuid.UUID] | None = None,
) -> tuple[list[Member], int, bool]:
    """One page of members by (email, id), after that key if given (search in email and name, filter by role
    and status), the total matching, and whether more follow the page."""
    async with uow:
        found, total = await uow.members.search(
            q=q, role=role, status=status, limit=limit + 1, offset=offset, after=after
        )
    return found[:limit], total, len(found) > limit


async def ensure_admin(
    command: EnsureAdmin, uow: UnitOfWork, hasher: PasswordHasher, strength: PasswordStrengthEstimator
) -> tuple[Member, bool]:
    """Create an admin with the given password unless the email exists; (member, created).

    The admin must change the password at first sign-in (it passed through a shell, a file or a
    deploy script) unless the command says otherwise (dev and test stacks only). The operator chose
    it, so it does not expire like the temporary passwords admins hand out.
    """
    async with uow:
        existing = await uow.members.get_by_email(normalize_email(command.email))
        if existing is not None:
            return existing, False
    check_password_policy(
        command.password,
        email=command.email,
        display_name=command.display_name,
        strength=await strength.estimate(command.password, [command.email, command.display_name]),
    )
    password_hash = await hasher.hash(command.password)
    now = utcnow()
    async with uow:
        member = Member.register(
            email=command.email,
            display_name=command.display_name,
            role="admin",
            joined_at=now.date(),
            password_hash=password_hash,
            now=now,
            temporary_password=command.must_change_password,
            temporary_password_ttl=None,
        )
        uow.members.add(member)
        uow.audit.add(AuditEntry(None, "member.bootstrapped_admin", member.id, None, member.snapshot(), now))
        await uow.commit()
        return member, True
