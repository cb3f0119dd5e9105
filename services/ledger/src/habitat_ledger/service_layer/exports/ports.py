"""The exports slice's ports: reports read from the journal, issued K-1 years, integrity checks, and the
member's capital statement read outside the unit of work."""

from __future__ import annotations

import uuid
from contextlib import AbstractAsyncContextManager
from datetime import date
from decimal import Decimal
from typing import Protocol

from habitat_ledger.domain.exports.hledger import Entry
from habitat_ledger.domain.exports.integrity import CheckResult, ContributionTotal
from habitat_ledger.domain.exports.k1 import K1Figures
from habitat_ledger.domain.exports.k1_issue import IssuedEnding, K1Issue
from habitat_ledger.domain.journal.statement import CapitalMovement
from habitat_ledger.domain.journal.transactions import Basis
from habitat_ledger.service_layer.close.ports import CloseUnitOfWork
from habitat_ledger.service_layer.journal.ports import JournalRepository, PostingSums
from habitat_ledger.service_layer.periods.ports import IssuedYears


class JournalReports(JournalRepository, Protocol):
    """The journal as the exports read it: whole-ledger figures besides the journal's own reads."""

    async def capital_by_member(self, as_of: date) -> dict[uuid.UUID, tuple[Decimal, Decimal]]:
        """Each member's capital (book, tax), credit-positive, from postings dated on or before as_of."""
        ...
    async def k1_figures(self, year: int) -> K1Figures: ...
    async def kept_year(self, year: int) -> bool:
        """Whether the year has member capital activity other than opening balances carried in."""
        ...
    async def entries(self, basis: Basis) -> list[Entry]: ...


class K1IssueRepository(IssuedYears, Protocol):
    """Years whose K-1s were issued; each is locked like a closed period."""

    async def issued_years(self) -> list[int]: ...
    async def claim(self, issue: K1Issue) -> bool:
        """Record the year as issued; False when it already was (a concurrent claim waits for the first)."""
        ...
    async def add_endings(self, year: int, endings: list[IssuedEnding]) -> None: ...
    async def get(self, year: int) -> K1Issue | None: ...


class IntegrityRepository(Protocol):
    """Checks computed in SQL over the raw tables, not through the repositories they check."""

    async def run_checks(self) -> list[CheckResult]:
        """Every check, in one statement: one snapshot of the ledger."""
        ...
    async def contribution_totals(self) -> list[ContributionTotal]: ...


class ExportsUnitOfWork(CloseUnitOfWork, Protocol):
    """What the exports need: the close's port (documents and statements read allocations and
    periods), the journal's reports, the issued K-1 years and the integrity checks."""

    journal: JournalReports
    k1_issues: K1IssueRepository
    integrity: IntegrityRepository


class CapitalStatementSnapshot(Protocol):
    """The reads of one capital statement, all of them seeing the same committed state of the ledger."""

    async def capital_movements(self, member_id: uuid.UUID, as_of: date, last: int | None) -> list[CapitalMovement]:
        """The member's capital movements dated on or before as_of in journal order; with last, only the
        latest that many."""
        ...
    async def posting_sums(self, account_code: str, as_of: date) -> PostingSums:
        """Signed sums of the account's postings dated on or before as_of."""
        ...
    async def display_name(self, member_id: uuid.UUID) -> str | None:
        """The member's name in the replica, or None before identity's event arrived."""
        ...


class CapitalStatementReads(Protocol):
    """A member's capital statement read straight from the database, not through the unit of work: the
    member dashboard asks for its latest lines on every view."""

    def snapshot(self) -> AbstractAsyncContextManager[CapitalStatementSnapshot]:
        """The statement's reads in one snapshot, so its lines and its balances agree."""
        ...
