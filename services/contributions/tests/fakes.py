"""In-memory implementations of the ports, for running the real handlers without infrastructure."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Self

from habitat_contributions.adapters.translators import to_contracts
from habitat_contributions.domain.corrections import Figures
from habitat_contributions.domain.events import MemberTotal
from habitat_contributions.domain.import_problems import ImportSummary
from habitat_contributions.domain.model import Contribution
from habitat_contributions.domain.replicas import MemberReplica, PeriodReplica
from habitat_contributions.domain.statuses import ContributionStatus
from habitat_contributions.service_layer.ports import ContributionFilter, Page
from tests.builders import import_names, resolved_row


class FakeContributionRepository:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Contribution] = {}

    def add(self, contribution: Contribution) -> None:
        self.rows[contribution.id] = contribution

    async def get(self, contribution_id: uuid.UUID) -> Contribution | None:
        return self.rows.get(contribution_id)

    get_for_update = get

    async def get_many_for_update(self, ids) -> dict[uuid.UUID, Contribution]:
        return {i: self.rows[i] for i in sorted(set(ids)) if i in self.rows}

    def _matching(self, where: ContributionFilter) -> list[Contribution]:
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
        return found

    async def approved_totals(self, period_id: uuid.UUID) -> tuple[list[MemberTotal], int]:
        totals: dict[uuid.UUID, MemberTotal] = {}
        pending = 0
        for c in self.rows.values():
            if c.period_id != period_id:
                continue
            if c.status == ContributionStatus.APPROVED:
                t = totals.get(c.member_id, MemberTotal(c.member_id, 0, Decimal("0.00")))
                totals[c.member_id] = MemberTotal(c.member_id, t.approved_count + 1, t.approved_value + c.value)
            elif not c.is_decided:
                pending += 1
        return sorted(totals.values(), key=lambda t: t.member_id), pending

    async def approved_corrections(self, original_id: uuid.UUID) -> Figures:
        return sum(
            (
                Figures(c.value, c.book_amount, c.tax_amount)
                for c in self.rows.values()
                if c.corrects_contribution_id == original_id and c.status == ContributionStatus.APPROVED
            ),
            Figures(),
        )


class FakeContributionViews:
    """The read models over a fake repository's rows: each contribution as a mapping of its id, owner, type,
    status and submission time (named: and the name the fake member replica gives its owner)."""

    def __init__(self, contributions: FakeContributionRepository, members: FakeMemberRepository | None = None) -> None:
        self._contributions = contributions
        self._members = members or FakeMemberRepository()

    @staticmethod
    def _view(c: Contribution) -> dict:
        return {
            "id": c.id, "member_id": c.member_id, "type": c.type, "status": str(c.status),
            "submitted_at": c.submitted_at,
        }

    def _name(self, member_id: uuid.UUID) -> str | None:
        found = self._members.rows.get(member_id)
        return None if found is None else found.display_name

    async def page(self, where: ContributionFilter, *, newest_first: bool = True, named: bool = False) -> Page:
        found = sorted(
            self._contributions._matching(where), key=lambda c: (c.submitted_at, c.id), reverse=newest_first
        )
        following = [
            c for c in found
            if where.after is None or ((c.submitted_at, c.id) < where.after if newest_first else
                                       (c.submitted_at, c.id) > where.after)
        ]
        shown = following[where.offset : where.offset + where.limit]
        views = [self._view(c) | ({"member_name": self._name(c.member_id)} if named else {}) for c in shown]
        return Page(views, len(found))

    async def contribution(self, contribution_id: uuid.UUID) -> dict | None:
        found = self._contributions.rows.get(contribution_id)
        return None if found is None else self._view(found)


class FakeMemberRepository:
    """With assume_active, a member it has never heard of reads as active (saves seeding in most tests)."""

    def __init__(self, assume_active: bool = True) -> None:
        self.rows: dict[uuid.UUID, MemberReplica] = {}
        self.assume_active = assume_active

    async def get(self, member_id: uuid.UUID) -> MemberReplica | None:
        if member_id not in self.rows and self.assume_active:
            return MemberReplica(member_id=member_id, updated_at=datetime.now(UTC), status="active")
        return self.rows.get(member_id)

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

    get_for_share = get_for_update

    async def statuses_of(self, period_ids) -> dict[uuid.UUID, str]:
        return {p: self.rows[p].status for p in period_ids if p in self.rows}

    async def containing(self, day: date) -> PeriodReplica | None:
        found = sorted((p for p in self.rows.values() if p.contains(day)), key=lambda p: not p.accepts(day))
        return found[0] if found else None


class FakeIdempotencyKeys:
    def __init__(self) -> None:
        self.rows: dict[tuple[uuid.UUID, str], tuple[str, uuid.UUID]] = {}

    async def claim(self, member_id, key, fingerprint, contribution_id):
        if (member_id, key) in self.rows:
            return self.rows[member_id, key]
        self.rows[member_id, key] = (fingerprint, contribution_id)
        return None


class FakeSubmissionLookups:
    def __init__(self, members: FakeMemberRepository, periods: FakePeriodRepository) -> None:
        self.members, self.periods = members, periods

    async def member_and_period(self, member_id: uuid.UUID, day: date):
        return await self.members.get(member_id), await self.periods.containing(day)


class FakeUnitOfWork:
    """Commits move collected events into `published` as contracts, like the outbox would."""

    def __init__(self, *periods: PeriodReplica) -> None:
        self.contributions = FakeContributionRepository()
        self.members = FakeMemberRepository()
        self.periods = FakePeriodRepository(*periods)
        self.idempotency = FakeIdempotencyKeys()
        self.lookups = FakeSubmissionLookups(self.members, self.periods)
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


class FakeImportStore:
    """Records what the use case asks of the store; problems and the summary are given."""

    def __init__(self, rows=(), created: int = 1, names=None) -> None:
        self._rows = list(rows) or [resolved_row(contributed_on=date(2026, 1, 2))]
        self._names = names or import_names()
        self._created = created
        self.staged: list[tuple] = []
        self.calls: list[str] = []

    async def __aenter__(self):
        self.calls.append("begin")
        return self

    async def __aexit__(self, *exc):
        self.calls.append("end")

    async def stage(self, batches):
        async for rows in batches:
            self.staged.extend(rows)

    async def resolve(self):
        self.calls.append("resolve")
        return self._names

    async def resolved_rows(self, chunk):
        for start in range(0, len(self._rows), chunk):
            yield self._rows[start : start + chunk]

    async def summarize(self):
        rows = len(self._rows)
        created = rows if self._created else 0
        return ImportSummary(rows, created, rows - created, {}, {}, Decimal("0.00"))

    async def sample(self, size):
        return [{"line": 2}]

    async def write_lines(self, import_id, *, actor_id, first, last):
        self.calls.append(f"write {first}-{last}")
        return sum(first <= row.line <= last for row in self._rows) if self._created else 0

    async def record_run(self, import_id, *, actor_id, rows, created):
        self.calls.append(f"record_run {created}")

    async def commit(self):
        self.calls.append("commit")
