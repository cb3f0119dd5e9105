"""The steps an accountant books for one ledger transaction.

The ledger holds an allocation as one transaction (co-op surplus against members' capital) and a
completed distribution as one (members' capital against cash). The journal shows the steps behind
them, each balanced, without changing what the ledger posted: a period result credited to the
undistributed surplus, then the allocation out of it; a distribution credited to the payable when
completed, then the payment out of it. Each intermediate account returns to zero after its pair.
A reversal shows its original's steps undone, last step first.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from habitat_ledger.domain.journal.journal_accounts import PAYABLE, UNDISTRIBUTED

# kind -> (intermediate account, co-op step first?, co-op step's label, members' step label)
SPLITS = {
    "allocation": (UNDISTRIBUTED, True, "period result", "allocation"),
    "distribution": (PAYABLE, False, "payment", "completion"),
}


@dataclass(frozen=True)
class Line:
    account: str
    amount: Decimal
    member: bool


@dataclass(frozen=True)
class Step:
    label: str | None
    lines: tuple[Line, ...]


def steps(kind: str, undoes: bool, lines: list[Line]) -> list[Step]:
    """One step, or the two of an allocation or distribution (in reverse order when undoing it)."""
    members = tuple(line for line in lines if line.member)
    coop = tuple(line for line in lines if not line.member)
    if kind not in SPLITS or not members or not coop:
        return [Step(None, tuple(lines))]
    via, coop_first, coop_label, members_label = SPLITS[kind]
    moved = sum((line.amount for line in coop), Decimal("0.00"))
    pair = [
        Step(coop_label, (*coop, Line(via, -moved, False))),
        Step(members_label, (Line(via, moved, False), *members)),
    ]
    return pair if coop_first != undoes else pair[::-1]
