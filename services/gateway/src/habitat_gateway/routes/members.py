"""/api/v1/members: list, create, read, change role or status."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from habitat_gateway.routes.deps import AdminCaller, MemberCaller, ServicesDep, StewardCaller
from habitat_gateway.schemas import CreateMemberRequest, Member, MemberList, NewMember, UpdateMemberRequest

router = APIRouter(tags=["members"])


@router.get("/members", response_model=MemberList)
async def list_members(caller: StewardCaller, services: ServicesDep) -> dict:
    """All members (stewards and admins)."""
    return await services.identity.request("GET", "/members", token=caller.token)


@router.post("/members", response_model=NewMember, status_code=201)
async def create_member(body: CreateMemberRequest, caller: AdminCaller, services: ServicesDep) -> dict:
    """Create a member; the one-time temporary password is returned only here."""
    return await services.identity.request(
        "POST", "/members", token=caller.token, json=body.model_dump(mode="json", exclude_none=True)
    )


@router.get("/members/{member_id}", response_model=Member)
async def read_member(member_id: uuid.UUID, caller: MemberCaller, services: ServicesDep) -> dict:
    """A member record: yourself, or anyone for stewards and admins (others answer 404)."""
    return await services.identity.request("GET", f"/members/{member_id}", token=caller.token)


@router.patch("/members/{member_id}", response_model=Member)
async def update_member(
    member_id: uuid.UUID, body: UpdateMemberRequest, caller: AdminCaller, services: ServicesDep
) -> dict:
    """Change a member's role, status or name (admins)."""
    return await services.identity.request(
        "PATCH", f"/members/{member_id}", token=caller.token, json=body.model_dump(mode="json", exclude_none=True)
    )
