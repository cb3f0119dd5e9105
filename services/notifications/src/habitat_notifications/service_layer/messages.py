"""Admins look at what was sent to whom and re-queue what failed."""

from __future__ import annotations

import uuid

from habitat_notifications.domain.errors import MessageNotFound
from habitat_notifications.domain.messages import Message
from habitat_notifications.service_layer.ports import Clock, MessageFilter, UnitOfWork


async def list_messages(where: MessageFilter, uow: UnitOfWork) -> list[Message]:
    """A page of messages, newest first, after the cursor."""
    async with uow:
        return await uow.messages.page(where)


async def resend(message_id: uuid.UUID, *, by: uuid.UUID, uow: UnitOfWork, clock: Clock) -> Message:
    """Queue a failed or bounced message again, to the member's current address when the replica knows it;
    who asked and when is recorded on the message."""
    async with uow:
        message = await uow.messages.get_for_update(message_id)
        if message is None:
            raise MessageNotFound(f"No message {message_id}.")
        member = await uow.members.get(message.recipient_id)
        message.resend(by=by, at=clock(), email=member.email if member else None)
        await uow.commit()
        return message
