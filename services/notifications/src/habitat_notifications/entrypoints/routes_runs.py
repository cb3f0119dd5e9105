"""Admins run a reminder now (its current slot: a slot that ran before mails nobody twice)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from habitat_common.metrics import NOTIFICATIONS_MESSAGES
from habitat_common.web.inputs import RequestBody
from habitat_notifications.domain.kinds import Kind
from habitat_notifications.entrypoints.dependencies import Admin, AppContainer, Uow
from habitat_notifications.entrypoints.schemas import ErrorOut
from habitat_notifications.service_layer import reminders

router = APIRouter(prefix="/notifications/runs", tags=["reminders"])
RunKind = Literal["weekly_reminder", "final_week", "steward_digest"]


class RunBody(RequestBody):
    kind: RunKind = Field(description="Which reminder to run now")


class RunOut(BaseModel):
    kind: RunKind
    key: str | None = Field(description="The slot run (week and period, period, day); null: no slot now")
    ran: bool = Field(description="False when the slot ran before, or when there is no slot now (no open period)")
    mailed: int = Field(description="Mails this call wrote (sent by the worker)")


@router.post("", response_model=RunOut, responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}})
async def run_now(body: RunBody, principal: Admin, uow: Uow, container: AppContainer):
    """Run the reminder's current slot now, whatever the hour; asking twice mails nobody twice."""
    result, written = await reminders.trigger(
        Kind(body.kind),
        by=principal.member_id,
        uow=uow,
        mailroom=container.mailroom,
        schedule=container.settings.reminders.schedule(),
        zone=container.settings.coop.zone,
    )
    for message in written:
        NOTIFICATIONS_MESSAGES.labels(message.kind, "queued").inc()
    return {"kind": body.kind, "key": result.key, "ran": result.ran, "mailed": result.mailed}
