"""A member's own mail preferences."""

from __future__ import annotations

from fastapi import APIRouter

from habitat_common.api.notifications import Preferences, PreferencesRequest
from habitat_notifications.entrypoints.dependencies import AppContainer, Member, Uow
from habitat_notifications.entrypoints.schemas import ErrorOut
from habitat_notifications.service_layer import preferences

router = APIRouter(prefix="/notifications/preferences", tags=["preferences"])
SIGNED_IN = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}}


@router.get("/me", response_model=Preferences, responses=SIGNED_IN)
async def my_preferences(principal: Member, uow: Uow):
    """Which mails I receive (every category until I choose)."""
    return await preferences.get_preferences(principal.member_id, uow)


@router.put("/me", response_model=Preferences, responses=SIGNED_IN | {422: {"model": ErrorOut}})
async def set_my_preferences(body: PreferencesRequest, principal: Member, uow: Uow, container: AppContainer):
    """Choose which mails I receive; security mail is always sent."""
    return await preferences.set_preferences(
        principal.member_id, decisions=body.decisions, reminders=body.reminders, uow=uow, clock=container.clock
    )
