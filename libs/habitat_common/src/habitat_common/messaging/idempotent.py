"""The idempotent consumer: an event's inbox claim and its use case's effect commit in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Protocol, Self, TypeVar

from habitat_common.contracts.envelope import Envelope
from habitat_common.messaging.consumer import Handler


class InboxUnitOfWork(Protocol):
    """A service's unit of work as the consumer sees it: it claims events in its inbox; leaving it without
    commit() rolls everything back."""

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> bool | None: ...
    async def claim_event(self, consumer: str, event_id: uuid.UUID) -> bool: ...
    async def commit(self) -> None: ...


U = TypeVar("U", bound=InboxUnitOfWork)
C = TypeVar("C")
R = TypeVar("R")


def _always(_: object) -> bool:
    return True


def idempotent(
    consumer: str,
    to_command: Callable[[Envelope], C],
    use_case: Callable[[C, U], Awaitable[R]],
    uow_factory: Callable[[], U],
    *,
    took_effect: Callable[[R], bool] = _always,
    after_commit: Callable[[R], None] | None = None,
) -> Handler:
    """A handler applying use_case once per event id under consumer's inbox name: the claim and the effect commit
    together; a duplicate runs nothing and returns False. For a fresh event, took_effect(result) is the handler's
    answer (default True), and after_commit(result) runs once the transaction has committed."""

    async def handle(envelope: Envelope) -> bool:
        async with uow_factory() as uow:
            if not await uow.claim_event(consumer, envelope.event_id):
                return False
            result = await use_case(to_command(envelope), uow)
            await uow.commit()
        if after_commit is not None:
            after_commit(result)
        return took_effect(result)

    handle.__doc__ = f"Apply {consumer} once per event id."
    return handle
