"""Integrity checks over the ledger's own tables: what must always hold, and the evidence when it does not."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

MAX_EXAMPLES = 10


@dataclass(frozen=True)
class CheckResult:
    """One check: how many offending rows it found and up to ten of them, named by their ids."""

    name: str
    description: str
    failures: int
    examples: list[str]

    @property
    def passed(self) -> bool:
        return self.failures == 0


@dataclass(frozen=True)
class ContributionTotal:
    """A member's approved contributions as the ledger holds them, to compare with the contributions service.

    count and value come from patronage (every type, every period); book and tax amounts are the
    member capital postings of contribution transactions, credit-positive.
    """

    member_id: uuid.UUID
    count: int
    value: Decimal
    book_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class IntegrityReport:
    checks: list[CheckResult]
    contribution_totals: list[ContributionTotal]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)
