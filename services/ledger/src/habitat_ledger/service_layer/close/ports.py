"""The close slice's port: patronage, seals, allocations and what posting one writes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from habitat_ledger.domain.close.allocation_posting import AllocationEntry, CashSchedule
from habitat_ledger.domain.close.proposal import Allocation, Approval, PatronageSnapshot
from habitat_ledger.domain.close.seal import PeriodSeal, Reconciliation
from habitat_ledger.service_layer.journal.ports import JournalUnitOfWork


@dataclass(frozen=True)
class PatronageTotal:
    """Approved contributions of one member and type in a period: how many and their value."""

    member_id: uuid.UUID
    type: str
    count: int
    value: Decimal


class PatronageRepository(Protocol):
    """One patronage record per approved contribution (written by ContributionBatchRepository)."""

    async def totals(self, period_id: uuid.UUID) -> list[PatronageTotal]: ...
    async def count(self, period_id: uuid.UUID) -> int: ...
    async def snapshot(self, period_id: uuid.UUID) -> PatronageSnapshot:
        """The period's rows grouped by member and type, with an id digest, and the highest seq seen."""
        ...

    async def added_after(self, period_id: uuid.UUID, through_seq: int | None) -> bool:
        """Whether the period has a row numbered after through_seq (any row, when None)."""
        ...

    async def contribution_ids(self, period_id: uuid.UUID, through_seq: int | None) -> list[uuid.UUID]:
        """The ids behind a calculation record: the period's rows numbered up to through_seq."""
        ...


class AllocationPostingRepository(Protocol):
    """What posting an allocation writes, from its stored rows, set-based however many members."""

    async def post_entries(self, entry: AllocationEntry) -> int:
        """The allocation's journal transaction; returns how many members were credited."""
        ...

    async def schedule_cash(self, schedule: CashSchedule) -> tuple[int, Decimal]:
        """A scheduled distribution per member with a cash portion; returns (count, total)."""
        ...


class SealRepository(Protocol):
    async def save(self, seal: PeriodSeal) -> None: ...
    async def pending_count_of(self, period_id: uuid.UUID) -> int | None:
        """The undecided count of the seal held for the period; None when none arrived yet."""
    async def reconciliation(self, period_id: uuid.UUID) -> Reconciliation:
        """domain.close.seal.reconcile() of the period's patronage totals with its seal."""


class AllocationRepository(Protocol):
    """Calculation records: head, rows and approvals (rows may be left out where not needed)."""

    async def add(self, allocation: Allocation) -> None: ...
    async def get(
        self, allocation_id: uuid.UUID, *, for_update: bool = False, with_rows: bool = True
    ) -> Allocation | None: ...
    async def active_for_period(self, period_id: uuid.UUID) -> Allocation | None: ...
    async def ids_for_period(self, period_id: uuid.UUID) -> list[uuid.UUID]: ...
    async def add_approval(self, allocation: Allocation, approval: Approval) -> None: ...
    async def update_status(self, allocation: Allocation) -> None: ...


class CloseUnitOfWork(JournalUnitOfWork, Protocol):
    """What closing a period needs: the journal's port (a period opened applies waiting contributions)
    and the close's own records."""

    patronage: PatronageRepository
    seals: SealRepository
    allocations: AllocationRepository
    allocation_postings: AllocationPostingRepository
