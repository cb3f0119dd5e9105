"""Events published by the identity context."""

from __future__ import annotations

import uuid
from datetime import date
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
