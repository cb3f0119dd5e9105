"""Admins: what was sent to whom and when, and resending what failed."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from habitat_common.api.notifications import Message, MessagePage, MessageStatus
from habitat_common.web.errors import ApiError
from habitat_common.web.inputs import Limit
from habitat_notifications.entrypoints.dependencies import Admin, AppContainer, Uow
from habitat_notifications.entrypoints.schemas import ErrorOut, decode_cursor, encode_cursor
from habitat_notifications.service_layer import messages
from habitat_notifications.service_layer.ports import MessageFilter

router = APIRouter(prefix="/notifications/messages", tags=["messages"])
ADMIN_ONLY = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}}
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")]


@router.get("", response_model=MessagePage, responses=ADMIN_ONLY | {422: {"model": ErrorOut}})
async def list_messages(
    principal: Admin,
    uow: Uow,
    status: MessageStatus | None = None,
    recipient_id: uuid.UUID | None = None,
    after: Cursor = None,
    limit: Limit = 50,
):
    """Mails newest first, by status and recipient; page on with next_cursor (keyset: stable while mail is written)."""
    try:
        position = decode_cursor(after) if after else None
    except ValueError:
        raise ApiError(422, "invalid_cursor", "`after` must be a next_cursor this listing returned.") from None
    where = MessageFilter(status=status, recipient_id=recipient_id, after=position, limit=limit)
    items = await messages.list_messages(where, uow)
    last = items[-1] if len(items) == limit else None
    return {"items": items, "next_cursor": encode_cursor(last.created_at, last.id) if last else None}


@router.post(
    "/{message_id}/resend",
    response_model=Message,
    responses=ADMIN_ONLY | {404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
)
async def resend(message_id: uuid.UUID, principal: Admin, uow: Uow, container: AppContainer):
    """Queue a failed or bounced mail again (to the member's current address); who and when is recorded."""
    return await messages.resend(message_id, by=principal.member_id, uow=uow, clock=container.clock)
