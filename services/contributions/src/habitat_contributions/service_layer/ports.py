"""Ports the use cases depend on; adapters implement them (SQLAlchemy) and tests fake them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, AsyncIterator, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, Protocol, Self

from habitat_contributions.domain.corrections import Figures
from habitat_contributions.domain.events import MemberTotal
from habitat_contributions.domain.import_problems import ImportSummary
from habitat_contributions.domain.import_rows import Names, ResolvedRow
from habitat_contributions.domain.model import Contribution
from habitat_contributions.domain.replicas import MemberReplica, PeriodReplica


@dataclass(frozen=True)
class ContributionFilter:
    """Which contributions to list; None means any."""

    member_id: uuid.UUID | None = None
    period_id: uuid.UUID | None = None
    status: str | None = None
    type: str | None = None
    limit: int = 50
    offset: int = 0
    # keyset paging: rows after this (submitted_at, id) in the list's order; the total ignores it
    after: tuple[datetime, uuid.UUID] | None = None
    q: str | None = None  # part of the description or of the member's display name, any case


@dataclass(frozen=True)
class Page:
    """A page and the count of all that match; items are Contribution entities, or (the list's read model)
    mappings with the fields of the API's contribution."""

    items: list[Any]
    total: int
    more: bool = False  # whether rows follow this page (set by the use cases, which ask for one row extra)


@dataclass(frozen=True)
class ReviewerCounts:
    reviewer_id: uuid.UUID
    display_name: str | None
    approved: int
    rejected: int
    clarifications: int


class MemberContact(NamedTuple):
    """An active member to remind: id, name and address (read as columns: a co-op of thousands has thousands)."""

    member_id: uuid.UUID
    display_name: str | None
    email: str | None


@dataclass(frozen=True)
class IntakeFigures:
    """Raw aggregates of one period, computed by the database (in one snapshot)."""

    active_members: int
    members_with_submissions: int
    by_type_status: list[tuple[str, str, int, Decimal]]
    mean_hours_to_decision: float | None
    p95_hours_to_decision: float | None
    per_reviewer: list[ReviewerCounts] = field(default_factory=list)
    not_submitted: list[MemberContact] = field(default_factory=list)


@dataclass(frozen=True)
class PeriodFacts:
    period_id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date
    status: str


@dataclass(frozen=True)
class PatronageFigures:
    """A member's contributions in one period (None: no period began by the day), counted and summed by the
    database per (type, status)."""

    period: PeriodFacts | None
    by_type_status: list[tuple[str, str, int, Decimal]]


class ContributionRepository(Protocol):
    """Contributions by id, locked for a decision, totalled for sealing (the list, the review queue and one
    contribution as the API shows them are ContributionViews)."""

    def add(self, contribution: Contribution) -> None: ...

    async def get(self, contribution_id: uuid.UUID) -> Contribution | None: ...

    async def get_for_update(self, contribution_id: uuid.UUID) -> Contribution | None: ...

    async def get_many_for_update(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Contribution]:
        """Those of ids that exist, by id, locked in one statement in id order (so two batches never deadlock)
        as get_for_update locks one, together with the originals the corrections among them correct."""
        ...

    async def approved_totals(self, period_id: uuid.UUID) -> tuple[list[MemberTotal], int]: ...

    async def approved_corrections(self, original_id: uuid.UUID) -> Figures:
        """The sum of the approved corrections of a contribution (zeros when none)."""
        ...


class ContributionViews(Protocol):
    """Contributions as the API shows them and a period's intake figures, read straight from the database (no
    unit of work: hot pages)."""

    async def page(self, where: ContributionFilter, *, newest_first: bool = True, named: bool = False) -> Page:
        """Contributions matching the filter as mappings with the API's fields, newest first (then by id; or oldest
        first), after where.after if given, and the count of all that match (ignoring where.after). Named, each
        also has member_name: the contributor's display name in the member replica, None when it has none."""
        ...

    async def contribution(self, contribution_id: uuid.UUID) -> dict[str, Any] | None:
        """One contribution as a mapping with the API's fields, or None."""
        ...

    async def intake(self, period_id: uuid.UUID) -> IntakeFigures:
        """The period's intake figures, every one read from the same snapshot."""
        ...

    async def patronage(self, member_id: uuid.UUID, day: date) -> PatronageFigures:
        """The member's contributions in the period containing day (between periods: the latest before it),
        counted and summed per (type, status)."""
        ...


class IdempotencyKeys(Protocol):
    """Remembered submissions per (member, key)."""

    async def claim(
        self, member_id: uuid.UUID, key: str, fingerprint: str, contribution_id: uuid.UUID
    ) -> tuple[str, uuid.UUID] | None:
        """Store the key for contribution_id; when the key is known, its (fingerprint, contribution id)."""
        ...


class MemberReplicaRepository(Protocol):
    """The member replica fed by identity's events."""

    def add(self, member: MemberReplica) -> None: ...

    async def get(self, member_id: uuid.UUID) -> MemberReplica | None: ...

    async def get_for_update(self, member_id: uuid.UUID) -> MemberReplica | None: ...


class PeriodReplicaRepository(Protocol):
    """The period replica fed by the ledger's events."""

    def add(self, period: PeriodReplica) -> None: ...

    async def get_for_update(self, period_id: uuid.UUID) -> PeriodReplica | None: ...

    async def get_for_share(self, period_id: uuid.UUID) -> PeriodReplica | None:
        """Read and hold it against sealing until this transaction ends."""
        ...

    async def statuses_of(self, period_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The statuses of those periods that are known, as committed, without locking them."""
        ...

    async def containing(self, day: date) -> PeriodReplica | None:
        """The period containing day, an open one first; held against sealing like get_for_share."""
        ...


class SubmissionLookups(Protocol):
    """What a submission checks, fetched together."""

    async def member_and_period(
        self, member_id: uuid.UUID, day: date
    ) -> tuple[MemberReplica | None, PeriodReplica | None]:
        """The member replica and the period containing day (an open one first, held against sealing)."""
        ...


class UnitOfWork(Protocol):
    """One transaction: repositories, collected domain events (written to the outbox on commit), inbox."""

    contributions: ContributionRepository
    members: MemberReplicaRepository
    periods: PeriodReplicaRepository
    idempotency: IdempotencyKeys
    lookups: SubmissionLookups
    events: list[Any]

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def claim_event(self, consumer: str, event_id: uuid.UUID) -> bool: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class ContributionImportStore(Protocol):
    """One import's transaction: staged rows resolved for the passes, the summary and the set-based write.

    Leaving the context without commit() rolls everything back."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def stage(self, batches: AsyncIterable[list[tuple]]) -> None:
        """Bulk-load the format-valid rows (values in contribution_rows.STAGED order) as they arrive."""
        ...

    async def resolve(self) -> Names:
        """Hold the periods the staged rows name against sealing and resolve the rows against this service's
        tables; what the file's names resolve to."""
        ...

    def resolved_rows(self, chunk: int) -> AsyncIterator[Sequence[ResolvedRow]]:
        """The resolved rows (after resolve()), up to `chunk` at a time in line order."""
        ...

    async def summarize(self) -> ImportSummary: ...

    async def sample(self, size: int) -> list[dict]:
        """The first rows that are (or would be) written, as plain values."""
        ...

    async def write_lines(self, import_id: uuid.UUID, *, actor_id: uuid.UUID, first: int, last: int) -> int:
        """Write the new rows of lines first..last (the passes found nothing in them), their approvals and
        revisions; how many were new. Called part by part in line order, each part once."""
        ...

    async def record_run(self, import_id: uuid.UUID, *, actor_id: uuid.UUID, rows: int, created: int) -> None:
        """Once every line is written: the import run and its events to come (written to the outbox by
        ImportEvents once this commits)."""
        ...

    async def commit(self) -> None: ...


class ImportEvents(Protocol):
    """The events of committed imports that are not in the outbox yet."""

    async def stage_pending(self, limit: int) -> int:
        """Write up to `limit` of them to the outbox, each exactly once, in one transaction; how many."""
        ...

    async def backlog(self) -> tuple[int, datetime | None]:
        """How many are waiting, and when the oldest of their imports committed (None when none wait)."""
        ...


@dataclass(frozen=True)
class IntegrityCheck:
    name: str
    description: str
    failures: int
    examples: list[str]

    @property
    def passed(self) -> bool:
        return self.failures == 0


@dataclass(frozen=True)
class ApprovedTotal:
    member_id: uuid.UUID
    count: int
    value: Decimal
    book_amount: Decimal
    tax_amount: Decimal


class IntegrityChecks(Protocol):
    """Consistency checks over the stored contributions, computed by the database."""

    async def run(self) -> tuple[list[IntegrityCheck], list[ApprovedTotal]]: ...
