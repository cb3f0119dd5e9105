"""Members read and change their own mail preferences."""

from __future__ import annotations

import uuid

from habitat_notifications.domain.preferences import Preferences, defaults
from habitat_notifications.service_layer.ports import Clock, UnitOfWork


async def get_preferences(member_id: uuid.UUID, uow: UnitOfWork) -> Preferences:
    """The member's preferences (the defaults until they chose)."""
    async with uow:
        return await uow.preferences.get(member_id) or defaults(member_id)


async def set_preferences(
    member_id: uuid.UUID, *, decisions: bool, reminders: bool, uow: UnitOfWork, clock: Clock
) -> Preferences:
    """Store the member's choice of both switches; security mail stays on whatever they choose."""
    async with uow:
        preferences = await uow.preferences.get_for_update(member_id)
        if preferences is None:
            preferences = defaults(member_id)
            uow.preferences.add(preferences)
        preferences.change(decisions=decisions, reminders=reminders, at=clock())
        await uow.commit()
        return preferences
