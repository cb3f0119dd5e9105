"""Ports every slice shares: the unit of work's transaction, its outbox and its inbox.

Each slice's own port (service_layer/<slice>/ports.py) adds the repositories its use cases touch;
the adapters' one SqlAlchemyUnitOfWork implements them all (one schema, one transaction).
"""

from __future__ import annotations

import uuid
from typing import Protocol, Self


class UnitOfWork(Protocol):
    """One atomic unit: state changes, new outbox rows and inbox claims commit together."""

    events: list[object]

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
    async def claim_event(self, consumer: str, event_id: uuid.UUID) -> bool: ...
    async def claim_events(self, consumer: str, event_ids: list[uuid.UUID]) -> set[uuid.UUID]: ...
