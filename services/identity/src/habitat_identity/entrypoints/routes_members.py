"""Member administration routes."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from habitat_common.api.identity import (
    CreateMemberRequest,
    Invitation,
    Member,
    MemberList,
    NewMember,
    UpdateMemberRequest,
)
from habitat_common.web.inputs import Limit, Offset, Text
from habitat_common.web.paging import After, decode_cursor, encode_cursor

from habitat_identity.domain.commands import CreateMember, UpdateMember
from habitat_identity.domain.errors import MemberNotFound
from habitat_identity.entrypoints.dependencies import Admin, AnyMember, ContainerDep, Steward
from habitat_identity.service_layer import members, recovery

router = APIRouter(tags=["members"])
MEMBERS_CURSOR = "members"


@router.get("/members", response_model=MemberList)
async def list_members(
    _: Steward,
    c: ContainerDep,
    q: Annotated[Text | None, Query(max_length=200, description="Part of the email or display name")] = None,
    role: Literal["member", "steward", "admin"] | None = None,
    status: Literal["pending", "active", "inactive"] | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> MemberList:
    """A page of members by email, searchable and filtered (stewards and admins); `next_cursor` pages on by keyset."""
    key = decode_cursor(after, MEMBERS_CURSOR, str, uuid.UUID) if after else None
    found, total, more = await members.list_members(
        c.uow(), q=q, role=role, status=status, limit=limit, offset=offset, after=key
    )
    following = encode_cursor(MEMBERS_CURSOR, found[-1].email, found[-1].id) if more else None
    return MemberList(items=[Member.model_validate(m) for m in found], total=total, next_cursor=following)


@router.post("/members", response_model=NewMember, status_code=201)
async def create_member(body: CreateMemberRequest, caller: Admin, c: ContainerDep) -> NewMember:
    """Create a pending member with a one-time temporary password (admins), and mail them an invitation
    link unless send_invitation is false."""
    command = CreateMember(body.email, body.display_name, body.role, body.joined_at)
    created = await members.create_member(
        command, caller.member_id, c.uow(), c.hasher, today=c.settings.coop.today(),
        temporary_password_ttl=timedelta(days=c.settings.temporary_password_days),
        send_invitation=body.send_invitation, invitation_ttl=c.settings.invitation_ttl,
    )
    out = Member.model_validate(created.member)
    invited = created.invitation.expires_at if created.invitation else None
    return NewMember(
        **out.model_dump(), temporary_password=created.temporary_password, invitation_expires_at=invited
    )


@router.post("/members/{member_id}/invitation", response_model=Invitation, status_code=201)
async def invite_member(member_id: uuid.UUID, caller: Admin, c: ContainerDep) -> Invitation:
    """Mail a member a new invitation link (admins); links sent before stop working.

    404 not_found; 422 invalid_member_change for an inactive member."""
    token = await recovery.invite_member(member_id, caller.member_id, c.uow(), ttl=c.settings.invitation_ttl)
    return Invitation(member_id=member_id, expires_at=token.expires_at)


@router.post("/members/{member_id}/temporary-password", response_model=NewMember)
async def issue_temporary_password(member_id: uuid.UUID, caller: Admin, c: ContainerDep) -> NewMember:
    """Give a member a new one-time temporary password (admins): for an expired or lost one.

    The member must change it at the next sign-in; their sessions end. 409 cannot_change_self for
    your own account, 422 invalid_member_change for an inactive member.
    """
    issued = await members.issue_temporary_password(
        member_id, caller.member_id, c.uow(), c.hasher,
        temporary_password_ttl=timedelta(days=c.settings.temporary_password_days),
    )
    out = Member.model_validate(issued.member)
    return NewMember(**out.model_dump(), temporary_password=issued.temporary_password)


@router.get("/members/{member_id}", response_model=Member)
async def get_member(member_id: uuid.UUID, caller: AnyMember, c: ContainerDep) -> Member:
    """One member: stewards and admins see anyone, a member only themselves."""
    if caller.member_id != member_id and not caller.has_role("steward"):
        raise MemberNotFound()
    return Member.model_validate(await members.member_view(member_id, c.member_views))


@router.patch("/members/{member_id}", response_model=Member)
async def update_member(member_id: uuid.UUID, body: UpdateMemberRequest, caller: Admin, c: ContainerDep) -> Member:
    """Change a member's role, status or display name (admins); 409 cannot_change_self for own demotion."""
    command = UpdateMember(member_id, role=body.role, status=body.status, display_name=body.display_name)
    return Member.model_validate(await members.update_member(command, caller.member_id, c.uow()))
