"""Reconciling the ledger's approved totals with those the contributions service sealed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

Totals = dict[uuid.UUID, tuple[int, Decimal]]


@dataclass(eq=False)
class PeriodSeal:
    """Per member approved count and value as sealed by contributions when the period started closing."""

    period_id: uuid.UUID
    members: Totals
    total_count: int
    total_value: Decimal
    pending_count: int
    received_at: datetime

    def supersedes(self, held_pending_count: int | None) -> bool:
        """Whether this seal replaces the one held (given by its undecided count; None: none held).

        Contributions seals when the close starts and again after each decision taken while the period
        closes; nothing can be submitted then, so the newer seal is the one with fewer undecided
        contributions, whatever order the events arrive in (equal: the same state, announced again)."""
        return held_pending_count is None or self.pending_count <= held_pending_count


@dataclass(frozen=True)
class Difference:
    member_id: uuid.UUID
    ledger_count: int
    ledger_value: Decimal
    sealed_count: int
    sealed_value: Decimal


@dataclass(frozen=True)
class Reconciliation:
    received: bool
    matches: bool | None
    differences: list[Difference]
    pending_count: int | None = None


def reconcile(ledger: Totals, seal: PeriodSeal | None) -> Reconciliation:
    """matches is None until the seal arrived; otherwise True iff every member's count and sum agree."""
    if seal is None:
        return Reconciliation(False, None, [])
    zero = (0, Decimal("0.00"))
    differences = [
        Difference(member, *ledger.get(member, zero), *seal.members.get(member, zero))
        for member in sorted(set(ledger) | set(seal.members), key=str)
        if ledger.get(member, zero) != seal.members.get(member, zero)
    ]
    return Reconciliation(True, not differences, differences, seal.pending_count)
