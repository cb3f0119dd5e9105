"""In-memory implementations of the ports, for running the real handlers without infrastructure."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Self

from habitat_contributions.adapters.translators import to_contracts
from habitat_contributions.domain.model import Contribution, ContributionStatus
from habitat_contributions.domain.replicas import MemberReplica, PeriodReplica
from habitat_contributions.service_layer.ports import ContributionFilter


class FakeContributionRepository:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Contribution] = {}

    def add(self, contribution: Contribution) -> None:
        self.rows[contribution.id] = contribution

    async def get(self, contribution_id: uuid.UUID) -> Contribution | None:
        return self.rows.get(contribution_id)

    get_for_update = get

    async def list(self, where: ContributionFilter) -> list[Contribution]:
        found = [
            c
            for c in self.rows.values()
            if all(
                wanted is None or getattr(c, name) == wanted
                for name, wanted in (
                    ("member_id", where.member_id),
                    ("period_id", where.period_id),
                    ("status", where.status),
                    ("type", where.type),
                )
            )
        ]
        found.sort(key=lambda c: c.submitted_at, reverse=True)
        return found[where.offset : where.offset + where.limit]

    async def pending_oldest_first(self, limit: int) -> list[Contribution]:
        pending = [c for c in self.rows.values() if c.status == ContributionStatus.PENDING]
        return sorted(pending, key=lambda c: c.submitted_at)[:limit]


class FakeMemberRepository:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, MemberReplica] = {}

    def add(self, member: MemberReplica) -> None:
        self.rows[member.member_id] = member

    async def get_for_update(self, member_id: uuid.UUID) -> MemberReplica | None:
        return self.rows.get(member_id)


class FakePeriodRepository:
    def __init__(self, *periods: PeriodReplica) -> None:
        self.rows: dict[uuid.UUID, PeriodReplica] = {p.period_id: p for p in periods}

    def add(self, period: PeriodReplica) -> None:
        self.rows[period.period_id] = period

    async def get_for_update(self, period_id: uuid.UUID) -> PeriodReplica | None:
        return self.rows.get(period_id)

    async def open_period_containing(self, day: date) -> PeriodReplica | None:
        return next((p for p in self.rows.values() if p.accepts(day)), None)


class FakeUnitOfWork:
    """Commits move collected events into `published` as contracts, like the outbox would."""

    def __init__(self, *periods: PeriodReplica) -> None:
        self.contributions = FakeContributionRepository()
        self.members = FakeMemberRepository()
        self.periods = FakePeriodRepository(*periods)
        self.events: list = []
        self.published: list = []
        self.claimed: set[tuple[str, uuid.UUID]] = set()
        self.commits = 0

    async def __aenter__(self) -> Self:
        self.events = []
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.events = []

    async def claim_event(self, consumer: str, event_id: uuid.UUID) -> bool:
        if (consumer, event_id) in self.claimed:
            return False
        self.claimed.add((consumer, event_id))
        return True

    async def commit(self) -> None:
        for event in self.events:
            self.published.extend(to_contracts(event))
        self.events = []
        self.commits += 1

    async def rollback(self) -> None:
        self.events = []
