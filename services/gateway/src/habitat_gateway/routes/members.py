"""/api/v1/members and /api/v1/audit-log: list, create, read, change, bulk onboarding, audit."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from habitat_common.api.identity import (
    AuditLog,
    CreateMemberRequest,
    ImportReport,
    Invitation,
    Member,
    MemberList,
    NewMember,
    UpdateMemberRequest,
)
from habitat_common.web.inputs import Limit, Offset, Text
from habitat_common.web.observability import long_running
from habitat_common.web.paging import After

from habitat_gateway.error_responses import EDGE, SIGNED_IN, UPSTREAM, errors
from habitat_gateway.routes.deps import AdminCaller, MemberCaller, ServicesDep, StewardCaller
from habitat_gateway.routes.imports import stream_csv

router = APIRouter(tags=["members"], responses=errors(*SIGNED_IN, *UPSTREAM))
ROSTER_TIMEOUT_SECONDS = 120.0  # a new member's password is hashed with argon2id: a large roster takes a while
CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string"}, "example": "email,display_name,role,joined_at\n"}},
    },
}


@router.get("/members", response_model=MemberList, responses=errors(422))
async def list_members(
    caller: StewardCaller,
    services: ServicesDep,
    q: Annotated[Text | None, Query(description="Search in email and display name")] = None,
    role: Literal["member", "steward", "admin"] | None = None,
    status: Literal["pending", "active", "inactive"] | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict:
    """Members (stewards and admins), filtered and paginated by email; follow `next_cursor` as `after` for the next page."""
    params = {"q": q, "role": role, "status": status, "limit": limit, "offset": offset, "after": after}
    return await services.identity.request("GET", "/members", token=caller.token, params=params)


@router.post(
    "/members", response_model=NewMember, status_code=201,
    responses=errors(*EDGE, 422, notes={409: "email_taken: another member has this email"}),
)
async def create_member(body: CreateMemberRequest, caller: AdminCaller, services: ServicesDep) -> dict:
    """Create a member; the one-time temporary password is returned only here.

    The member is also mailed an invitation: a single-use link to choose their own password (valid 7
    days). Send `send_invitation: false` to skip the mail when you hand the temporary password over
    in person; either way the temporary password works until it expires."""
    return await services.identity.request(
        "POST", "/members", token=caller.token, json=body.model_dump(mode="json", exclude_none=True)
    )


@router.post(
    "/members/{member_id}/temporary-password", response_model=NewMember,
    responses=errors(404, 422, notes={409: "cannot_change_self: change your own password instead"}),
)
async def issue_temporary_password(member_id: uuid.UUID, caller: AdminCaller, services: ServicesDep) -> dict:
    """Give a member a new one-time temporary password (admins), when theirs expired or was lost;
    shown only here. The member changes it at the next sign-in; their sessions end."""
    return await services.identity.request("POST", f"/members/{member_id}/temporary-password", token=caller.token)


@router.post(
    "/members/{member_id}/invitation", response_model=Invitation, status_code=201,
    responses=errors(404, notes={422: "invalid_member_change: reactivate the member first; invalid_request"}),
)
async def invite_member(member_id: uuid.UUID, caller: AdminCaller, services: ServicesDep) -> dict:
    """Mail a member a new invitation link to choose their password (admins); links sent before stop working."""
    return await services.identity.request("POST", f"/members/{member_id}/invitation", token=caller.token)


@router.post(
    "/members/import", response_model=ImportReport, openapi_extra=CSV_BODY,
    responses=errors(notes={
        413: "too_many_rows / file_too_large: the roster is over its limit; nothing written",
        422: "invalid_csv: errors with line and column; nothing written",
    }),
)
@long_running
async def import_members(
    request: Request, caller: AdminCaller, services: ServicesDep, dry_run: bool = False
) -> Response:
    """Bulk onboarding from CSV (`email,display_name,role[,joined_at]`); all or nothing; re-runs change nothing."""
    return await stream_csv(services.identity, "/members/import", request, caller, dry_run, ROSTER_TIMEOUT_SECONDS)


@router.get("/members/{member_id}", response_model=Member, responses=errors(404, 422))
async def read_member(member_id: uuid.UUID, caller: MemberCaller, services: ServicesDep) -> dict:
    """A member record: yourself, or anyone for stewards and admins (others answer 404)."""
    return await services.identity.request("GET", f"/members/{member_id}", token=caller.token)


@router.patch(
    "/members/{member_id}", response_model=Member,
    responses=errors(*EDGE, 404, notes={
        409: "cannot_change_self: nobody changes their own role or status",
        422: "invalid_member_change (e.g. a pending member set inactive); invalid_request",
    }),
)
async def update_member(
    member_id: uuid.UUID, body: UpdateMemberRequest, caller: AdminCaller, services: ServicesDep
) -> dict:
    """Change a member's role, status (deactivate / reactivate) or name (admins); sessions end at once."""
    return await services.identity.request(
        "PATCH", f"/members/{member_id}", token=caller.token, json=body.model_dump(mode="json", exclude_none=True)
    )


@router.get("/audit-log", response_model=AuditLog, tags=["audit"], responses=errors(422))
async def audit_log(
    caller: AdminCaller,
    services: ServicesDep,
    subject_id: uuid.UUID | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
    q: Annotated[
        Text | None, Query(max_length=200, description="Part of the action, or of who acted or was acted on (email or name)")
    ] = None,
) -> dict:
    """Every admin action (who, when, what, before/after), newest first (admins), searchable; follow `next_cursor`
    as `after`."""
    params = {
        "subject_id": str(subject_id) if subject_id else None, "limit": limit, "offset": offset, "after": after, "q": q,
    }
    return await services.identity.request("GET", "/audit-log", token=caller.token, params=params)
