"""Backfill: every member's current state announced again, for replicas that missed the past events (a
consumer deployed onto a co-op that already has members)."""

from __future__ import annotations

import uuid

from habitat_identity.service_layer.ports import UnitOfWork

REPUBLISH_BATCH = 500


async def republish_members(uow: UnitOfWork, *, batch_size: int = REPUBLISH_BATCH) -> int:
    """Stage a MemberUpdated event for every member in the outbox, one transaction per batch; how many.

    Changes no member. Consumers keep the newest state by occurred_at, so a second run is harmless, and
    the rows are share-locked while their batch is open: a change made meanwhile is stamped after it."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    written = 0
    after: uuid.UUID | None = None
    while True:
        async with uow:
            page = await uow.members.page_by_id(after=after, limit=batch_size)
            for member in page:
                member.republish()
            await uow.commit()
        written += len(page)
        if len(page) < batch_size:
            return written
        after = page[-1].id
