"""Ports the use cases depend on; adapters implement them (SQLAlchemy) and tests fake them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, Self

from habitat_contributions.domain.model import Contribution
from habitat_contributions.domain.replicas import MemberReplica, PeriodReplica


@dataclass(frozen=True)
class ContributionFilter:
    """Which contributions to list; None means any."""

    member_id: uuid.UUID | None = None
    period_id: uuid.UUID | None = None
    status: str | None = None
    type: str | None = None
    limit: int = 200
    offset: int = 0


class ContributionRepository(Protocol):
    """Contributions by id, locked for a decision, listed, or queued for review."""

    def add(self, contribution: Contribution) -> None: ...

    async def get(self, contribution_id: uuid.UUID) -> Contribution | None: ...

    async def get_for_update(self, contribution_id: uuid.UUID) -> Contribution | None: ...

    async def list(self, where: ContributionFilter) -> list[Contribution]: ...

    async def pending_oldest_first(self, limit: int) -> list[Contribution]: ...


class MemberReplicaRepository(Protocol):
    """The member replica fed by identity's events."""

    def add(self, member: MemberReplica) -> None: ...

    async def get_for_update(self, member_id: uuid.UUID) -> MemberReplica | None: ...


class PeriodReplicaRepository(Protocol):
    """The period replica fed by the ledger's events."""

    def add(self, period: PeriodReplica) -> None: ...

    async def get_for_update(self, period_id: uuid.UUID) -> PeriodReplica | None: ...

    async def open_period_containing(self, day: date) -> PeriodReplica | None: ...


class UnitOfWork(Protocol):
    """One transaction: repositories, collected domain events (written to the outbox on commit), inbox."""

    contributions: ContributionRepository
    members: MemberReplicaRepository
    periods: PeriodReplicaRepository
    events: list[Any]

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def claim_event(self, consumer: str, event_id: uuid.UUID) -> bool: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
