"""Admins run a reminder now (its current slot: a slot that ran before mails nobody twice)."""

from __future__ import annotations

from fastapi import APIRouter

from habitat_common.api.notifications import RunOutcome, RunRequest
from habitat_common.metrics import NOTIFICATIONS_MESSAGES
from habitat_notifications.domain.kinds import Kind
from habitat_notifications.entrypoints.dependencies import Admin, AppContainer, Uow
from habitat_notifications.entrypoints.schemas import ErrorOut
from habitat_notifications.service_layer import reminders

router = APIRouter(prefix="/notifications/runs", tags=["reminders"])


@router.post("", response_model=RunOutcome, responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}})
async def run_now(body: RunRequest, principal: Admin, uow: Uow, container: AppContainer):
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
