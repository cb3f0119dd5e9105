"""Events published by the identity context."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import Field

from habitat_common.contracts.envelope import Contract

Role = Literal["member", "steward", "admin"]
MemberStatus = Literal["pending", "active", "inactive"]


class MemberRegisteredV1(Contract):
    """An admin created a member; the member is pending until the first password change."""

    EVENT_TYPE: ClassVar[str] = "identity.member_registered"
    VERSION: ClassVar[int] = 1
    member_id: uuid.UUID = Field(description="Member id, stable for life")
    email: str = Field(description="Email address, lower-cased")
    display_name: str = Field(description="Name shown to other members")
    role: Role = Field(description="member, steward or admin")
    status: MemberStatus = Field(description="pending, active or inactive")
    joined_at: date = Field(description="Date the member joined the co-op")


class MemberUpdatedV1(Contract):
    """A member's role, status or profile changed; carries the whole new state."""

    EVENT_TYPE: ClassVar[str] = "identity.member_updated"
    VERSION: ClassVar[int] = 1
    member_id: uuid.UUID = Field(description="Member id")
    email: str = Field(description="Email address, lower-cased")
    display_name: str = Field(description="Name shown to other members")
    role: Role = Field(description="member, steward or admin")
    status: MemberStatus = Field(description="pending, active or inactive")
    joined_at: date = Field(description="Date the member joined the co-op")


class MemberDeactivatedV1(Contract):
    """An admin deactivated a member; their sessions ended and they may no longer act."""

    EVENT_TYPE: ClassVar[str] = "identity.member_deactivated"
    VERSION: ClassVar[int] = 1
    member_id: uuid.UUID = Field(description="Member id")


class PasswordResetRequestedV1(Contract):
    """A member asked to reset a forgotten password; notifications mails them the single-use link.

    The raw token travels to the mailer only: identity keeps its hash, and it expires in minutes."""

    EVENT_TYPE: ClassVar[str] = "identity.password_reset_requested"
    VERSION: ClassVar[int] = 1
    member_id: uuid.UUID = Field(description="Member id")
    email: str = Field(description="Where the link goes (lower-cased)")
    display_name: str = Field(description="Name to greet the member by")
    token: str = Field(description="The single-use reset token (URL-safe), to put in the link")
    expires_at: datetime = Field(description="When the token stops working (UTC)")


class InvitationIssuedV1(Contract):
    """A member was created or imported (or re-invited); notifications mails the sign-in link that lets
    them choose a password."""

    EVENT_TYPE: ClassVar[str] = "identity.invitation_issued"
    VERSION: ClassVar[int] = 1
    member_id: uuid.UUID = Field(description="Member id")
    email: str = Field(description="Where the invitation goes (lower-cased)")
    display_name: str = Field(description="Name to greet the member by")
    token: str = Field(description="The single-use invitation token (URL-safe), to put in the link")
    expires_at: datetime = Field(description="When the link stops working (UTC)")


class NewDeviceSignedInV1(Contract):
    """A member signed in from a browser or client that holds no device cookie of theirs (security mail: the
    member hears when, from where and with what, so a sign-in they did not make does not go unnoticed)."""

    EVENT_TYPE: ClassVar[str] = "identity.new_device_signed_in"
    VERSION: ClassVar[int] = 1
    member_id: uuid.UUID = Field(description="Member id")
    email: str = Field(description="Where the notice goes (lower-cased)")
    display_name: str = Field(description="Name to greet the member by")
    signed_in_at: datetime = Field(description="When the sign-in succeeded (UTC)")
    client: str = Field(description="The caller's address as identity saw it (IPv4, or IPv6)")
    user_agent: str = Field(description="The client's User-Agent header, at most 200 characters ('' when none)")
