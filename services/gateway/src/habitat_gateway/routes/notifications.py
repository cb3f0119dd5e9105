"""/api/v1/notifications: a member's mail preferences; for admins, the mail log, resending, reminder runs."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from habitat_common.web.inputs import Limit

from habitat_gateway.error_responses import EDGE, SIGNED_IN, UPSTREAM, errors
from habitat_gateway.routes.deps import AdminCaller, MemberCaller, ServicesDep
from habitat_gateway.schemas_notifications import (
    Message,
    MessagePage,
    MessageStatus,
    Preferences,
    PreferencesRequest,
    RunOutcome,
    RunRequest,
)

router = APIRouter(tags=["notifications"], responses=errors(*SIGNED_IN, *UPSTREAM))
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")]


@router.get("/notifications/preferences/me", response_model=Preferences)
async def my_preferences(caller: MemberCaller, services: ServicesDep) -> dict:
    """Which mails I receive: decisions and reminders are on until I choose; security mail always."""
    return await services.notifications.request("GET", "/notifications/preferences/me", token=caller.token)


@router.put("/notifications/preferences/me", response_model=Preferences, responses=errors(*EDGE, 422))
async def set_my_preferences(body: PreferencesRequest, caller: MemberCaller, services: ServicesDep) -> dict:
    """Choose which mails I receive (both switches at once); invitations and password resets are always sent."""
    return await services.notifications.request(
        "PUT", "/notifications/preferences/me", token=caller.token, json=body.model_dump()
    )


@router.get("/notifications/messages", response_model=MessagePage, responses=errors(notes={
    422: "invalid_cursor: `after` is not a next_cursor of this listing; invalid_request"}))
async def list_messages(
    caller: AdminCaller, services: ServicesDep, status: MessageStatus | None = None,
    recipient_id: uuid.UUID | None = None, after: Cursor = None, limit: Limit = 50,
) -> dict:
    """What was mailed to whom and when, newest first: status, attempts, the SMTP server's last answer.
    Bodies are not shown (a reset mail holds a live link). Page on with next_cursor."""
    params = {"status": status, "recipient_id": recipient_id and str(recipient_id), "after": after, "limit": limit}
    return await services.notifications.request(
        "GET", "/notifications/messages", token=caller.token, params={k: v for k, v in params.items() if v is not None}
    )


@router.post("/notifications/messages/{message_id}/resend", response_model=Message, responses=errors(422, notes={
        404: "message_not_found", 409: "not_resendable: only a failed or bounced mail is resent"}))
async def resend(message_id: uuid.UUID, caller: AdminCaller, services: ServicesDep) -> dict:
    """Queue a failed or bounced mail again, to the member's current address; who and when is recorded."""
    return await services.notifications.request(
        "POST", f"/notifications/messages/{message_id}/resend", token=caller.token
    )


@router.post("/notifications/runs", response_model=RunOutcome, responses=errors(*EDGE, 422))
async def run_reminder(body: RunRequest, caller: AdminCaller, services: ServicesDep) -> dict:
    """Run a reminder's current slot now, whatever the hour: weekly_reminder (active members with no submission
    in the open period), final_week (the same, in the period's last days), steward_digest (stewards, when the
    queue holds items older than the review target). A slot runs once: asking twice mails nobody twice."""
    return await services.notifications.request(
        "POST", "/notifications/runs", token=caller.token, json=body.model_dump()
    )
