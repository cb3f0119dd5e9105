"""The checks a K-1 must pass before it leaves the ledger; each failure names what differs and by how much.

- item_l: each row ties, beginning + contributed + income ± other − withdrawals = ending (per basis);
- beginning_carried_forward: each member's beginning equals the ending issued for the previous year;
- capital_total: the members' endings add up to the ledger's member capital, summed on its own;
- ending_as_issued: once a year is issued, its endings are still those issued (the year is locked).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from habitat_ledger.domain.errors import K1DoesNotTie
from habitat_ledger.domain.exports.k1_issue import IssuedEnding
from habitat_ledger.domain.money import ZERO

BASES = ("tax", "book")


@dataclass(frozen=True)
class TieDifference:
    check: str
    basis: str
    expected: Decimal
    computed: Decimal
    member_id: uuid.UUID | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "check": self.check,
            "member_id": str(self.member_id) if self.member_id else None,
            "basis": self.basis,
            "expected": f"{self.expected}",
            "computed": f"{self.computed}",
            "difference": f"{self.computed - self.expected}",
        }


def carried_forward(
    beginnings: dict[tuple[uuid.UUID, str], Decimal], previous: dict[uuid.UUID, IssuedEnding]
) -> list[TieDifference]:
    """Beginnings that differ from the endings issued for the previous year (a member missing is zero)."""
    return against_issued("beginning_carried_forward", beginnings, previous)


def against_issued(
    check: str, amounts: dict[tuple[uuid.UUID, str], Decimal], issued: dict[uuid.UUID, IssuedEnding]
) -> list[TieDifference]:
    """Amounts per (member, basis) that differ from issued endings (a member missing on either side is zero)."""
    out = []
    for member in sorted({m for m, _ in amounts} | set(issued), key=str):
        for basis in BASES:
            expected = issued[member].on(basis) if member in issued else ZERO
            computed = amounts.get((member, basis), ZERO)
            if computed != expected:
                out.append(TieDifference(check, basis, expected, computed, member))
    return out


def capital_total(endings: Iterable[tuple[str, Decimal]], ledger_totals: dict[str, Decimal]) -> list[TieDifference]:
    """The reported endings (basis, amount) against the ledger's member capital total per basis."""
    reported = dict.fromkeys(BASES, ZERO)
    for basis, amount in endings:
        reported[basis] += amount
    return [
        TieDifference("capital_total", basis, ledger_totals.get(basis, ZERO), reported[basis])
        for basis in BASES
        if reported[basis] != ledger_totals.get(basis, ZERO)
    ]


def refuse_unless_tied(differences: list[TieDifference]) -> None:
    if differences:
        members = {d.member_id for d in differences if d.member_id}
        checks = sorted({d.check for d in differences})
        raise K1DoesNotTie(
            f"The K-1 data does not tie ({', '.join(checks)}; {len(members)} member(s)); nothing exported.",
            [d.as_dict() for d in differences],
        )
