"""The identity API's member answers: a member, a new member with a one-time password, a page of members."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["member", "steward", "admin"]
MemberStatus = Literal["pending", "active", "inactive"]
NEXT_PAGE = "Cursor of the page after this one, to pass as `after` with the same filters; null on the last page"


class Member(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    status: MemberStatus
    joined_at: date
    created_at: datetime


class NewMember(Member):
    temporary_password: str = Field(description="Shown once; the member must change it at first sign-in")
    invitation_expires_at: datetime | None = Field(
        default=None, description="When the mailed invitation link expires; null when send_invitation was false"
    )


class MemberList(BaseModel):
    items: list[Member]
    total: int = Field(description="Members matching the filters, before limit/offset")
    next_cursor: str | None = Field(None, description=NEXT_PAGE)
