"""Members and their refresh tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from habitat_identity.domain.errors import InvalidMemberChange
from habitat_identity.domain.events import MemberDeactivated, MemberRegistered, MemberUpdated

ROLES = ("member", "steward", "admin")
STATUSES = ("pending", "active", "inactive")
# A temporary password travels by email or on paper: past this age it no longer signs anyone in.
TEMPORARY_PASSWORD_TTL = timedelta(days=7)


def normalize_email(email: str) -> str:
    return email.strip().lower()


class Member:
    """A person in the co-op with a role, a status and a password."""

    def __init__(
        self,
        *,
        id: uuid.UUID,
        email: str,
        display_name: str,
        role: str,
        status: str,
        joined_at: date,
        password_hash: str,
        must_change_password: bool,
        created_at: datetime,
        updated_at: datetime,
        temporary_password_expires_at: datetime | None = None,
    ) -> None:
        self.id = id
        self.email = normalize_email(email)
        self.display_name = display_name
        self.role = role
        self.status = status
        self.joined_at = joined_at
        self.password_hash = password_hash
        self.must_change_password = must_change_password
        self.created_at = created_at
        self.updated_at = updated_at
        self.temporary_password_expires_at = temporary_password_expires_at
        self.events: list[Any] = []

    @classmethod
    def register(
        cls,
        *,
        email: str,
        display_name: str,
        role: str,
        joined_at: date,
        password_hash: str,
        now: datetime,
        temporary_password: bool = True,
        temporary_password_ttl: timedelta | None = TEMPORARY_PASSWORD_TTL,
    ) -> Member:
        """A new member: pending with a temporary password, or active when the password is their own.

        A temporary password expires after temporary_password_ttl (None: it never does, for an admin
        bootstrapped by the operator, who chose the password themselves).
        """
        _check_role(role)
        _check_name(display_name)
        member = cls(
            id=uuid.uuid4(),
            email=email,
            display_name=display_name.strip(),
            role=role,
            status="pending" if temporary_password else "active",
            joined_at=joined_at,
            password_hash=password_hash,
            must_change_password=temporary_password,
            created_at=now,
            updated_at=now,
            temporary_password_expires_at=(
                now + temporary_password_ttl if temporary_password and temporary_password_ttl else None
            ),
        )
        member.events.append(MemberRegistered(**member._state()))
        return member

    @property
    def can_sign_in(self) -> bool:
        return self.status != "inactive"

    def temporary_password_expired(self, now: datetime) -> bool:
        """Is the password one an admin issued, unchanged and past its expiry?"""
        expires_at = self.temporary_password_expires_at
        return self.must_change_password and expires_at is not None and expires_at <= now

    def set_password(self, password_hash: str, now: datetime) -> None:
        """The member chose their own password; a pending member becomes active."""
        self.password_hash = password_hash
        self.must_change_password = False
        self.temporary_password_expires_at = None
        self.updated_at = now
        if self.status == "pending":
            self.status = "active"
            self.events.append(MemberUpdated(**self._state()))

    def issue_temporary_password(self, password_hash: str, now: datetime, ttl: timedelta) -> None:
        """An admin handed out a new temporary password: it expires after ttl and must be changed at sign-in."""
        if self.status == "inactive":
            raise InvalidMemberChange("Reactivate the member before issuing a temporary password.")
        self.password_hash = password_hash
        self.must_change_password = True
        self.temporary_password_expires_at = now + ttl
        self.updated_at = now

    def rehash(self, password_hash: str) -> None:
        """Same password, stronger hash parameters."""
        self.password_hash = password_hash

    def update(
        self,
        *,
        now: datetime,
        role: str | None = None,
        status: str | None = None,
        display_name: str | None = None,
        joined_at: date | None = None,
    ) -> bool:
        """Apply an admin's change; True when anything changed (and events were recorded)."""
        before = self._state()
        if joined_at is not None:
            self.joined_at = joined_at
        if role is not None:
            _check_role(role)
            self.role = role
        if display_name is not None:
            _check_name(display_name)
            self.display_name = display_name.strip()
        if status is not None and status != self.status:
            if status not in ("active", "inactive"):
                raise InvalidMemberChange("Status can only be set to active or inactive.")
            if status == "active" and self.status == "pending":
                raise InvalidMemberChange("A member activates by changing the temporary password.")
            if status == "active" and self.must_change_password:
                # Reactivating someone who never chose a password brings them back to pending:
                # only changing the temporary password makes a member active.
                status = "pending"
            self.status = status
        if self._state() == before:
            return False
        self.updated_at = now
        self.events.append(MemberUpdated(**self._state()))
        if self.status == "inactive" and before["status"] != "inactive":
            self.events.append(MemberDeactivated(member_id=self.id))
        return True

    def republish(self) -> None:
        """Announce the whole current state again, changing nothing: a replica that missed past events
        catches up, one that is current applies the same facts (consumers keep the newest by occurred_at)."""
        self.events.append(MemberUpdated(**self._state()))

    def snapshot(self) -> dict[str, Any]:
        """What the audit log records about the member (never the password hash)."""
        state = self._state()
        return {**state, "member_id": str(self.id), "joined_at": self.joined_at.isoformat()}

    def would_demote_self(self, actor_id: uuid.UUID, role: str | None, status: str | None) -> bool:
        """Would this change demote or deactivate the acting admin themselves?"""
        if actor_id != self.id:
            return False
        return (role is not None and role != self.role) or (status == "inactive" and self.status != "inactive")

    def _state(self) -> dict[str, Any]:
        return {
            "member_id": self.id,
            "email": self.email,
            "display_name": self.display_name,
            "role": self.role,
            "status": self.status,
            "joined_at": self.joined_at,
        }


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that differ, as (before, after) for the audit log."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidMemberChange(f"Role must be one of {', '.join(ROLES)}.")


def _check_name(display_name: str) -> None:
    if not display_name.strip():
        raise InvalidMemberChange("The display name must not be empty.")


@dataclass
class RefreshToken:
    """One opaque refresh token (stored only as a hash); tokens rotated from one login share a family."""

    id: uuid.UUID
    family_id: uuid.UUID
    member_id: uuid.UUID
    token_hash: str
    created_at: datetime
    expires_at: datetime
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None
    session_kind: str = "api"
    session_started_at: datetime | None = None
    # the pair this token was traded for, sealed with it: answered once more to a racing second tab
    successor_sealed: str | None = None

    def was_used(self) -> bool:
        return self.rotated_at is not None or self.revoked_at is not None

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at


@dataclass(frozen=True)
class AuditEntry:
    """Who did what to whom, with the state before and after."""

    actor_id: uuid.UUID | None
    action: str
    subject_id: uuid.UUID | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass(frozen=True)
class Revocation:
    """Access tokens to refuse before they expire: one session (sid), or all of a member's issued before not_before."""

    member_id: uuid.UUID
    session_id: uuid.UUID | None = None
    not_before: datetime | None = None
    id: int | None = None
    created_at: datetime | None = None
