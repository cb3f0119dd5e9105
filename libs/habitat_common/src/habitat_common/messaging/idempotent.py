"""The idempotent consumer: an event's inbox claim and its use case's effect commit in one transaction, for one
event or for a batch of them (messaging.batching gathers the batches)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, Self, TypeVar

from habitat_common.contracts.envelope import Envelope
from habitat_common.messaging.batching import BatchHandler
from habitat_common.messaging.consumer import Handler


class InboxUnitOfWork(Protocol):
    """A service's unit of work as the consumer sees it: it claims events in its inbox; leaving it without
    commit() rolls everything back."""

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> bool | None: ...
    async def claim_event(self, consumer: str, event_id: uuid.UUID) -> bool: ...
    async def commit(self) -> None: ...


class BatchInboxUnitOfWork(InboxUnitOfWork, Protocol):
    """A unit of work that also claims many events in one statement."""

    async def claim_events(self, consumer: str, event_ids: list[uuid.UUID]) -> set[uuid.UUID]: ...


U = TypeVar("U", bound=InboxUnitOfWork)
B = TypeVar("B", bound=BatchInboxUnitOfWork)
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


def idempotent_batch(
    consumer: str,
    to_command: Callable[[Envelope], C],
    use_case: Callable[[C, B], Awaitable[R]],
    uow_factory: Callable[[], B],
    *,
    took_effect: Callable[[R], bool] = _always,
    after_commit: Callable[[R], None] | None = None,
) -> BatchHandler:
    """The batch form of idempotent(): the deliveries' claims (one statement) and their use cases, in delivery
    order, commit in one transaction. The answer per delivery is idempotent()'s: False for an event handled before
    (in an earlier transaction, or earlier in this batch), else took_effect(result). A use case that raises fails
    the whole batch, which the batcher then applies one delivery at a time (messaging.batching)."""

    async def handle(envelopes: Sequence[Envelope]) -> list[bool]:
        results: list[tuple[bool, R | None]] = []
        async with uow_factory() as uow:
            fresh = await uow.claim_events(consumer, [envelope.event_id for envelope in envelopes])
            for envelope in envelopes:
                if envelope.event_id not in fresh:
                    results.append((False, None))
                    continue
                fresh.discard(envelope.event_id)  # a redelivery in the same batch is a duplicate
                results.append((True, await use_case(to_command(envelope), uow)))
            await uow.commit()
        answers = []
        for applied, result in results:
            if applied and after_commit is not None:
                after_commit(result)  # type: ignore[arg-type]
            answers.append(applied and took_effect(result))  # type: ignore[arg-type]
        return answers

    handle.__doc__ = f"Apply {consumer} once per event id, a batch of deliveries in one transaction."
    return handle
