"""K-1 Item J: a member's share of profit, loss and capital at the beginning and end of the year.

Profit and loss shares come from the allocation shares: the year's allocated profits (or losses)
credited to the member over their total. The beginning percentages are the previous year's ending
ones, carried forward. A year that allocated only losses shows the same shares as its profit shares
(the same weighted patronage would have divided a profit), and the other way round. Percentages of
profit and loss are shares of their own total, so a share of a loss is a positive percentage;
capital percentages are signed (a deficit capital account has a negative share).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from habitat_ledger.domain.money import ZERO

PERCENT_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class AllocationFigure:
    """One member's allocated result in a year on one basis, credit-positive.

    profit is False for the rows of an allocated loss (amount ≤ 0); a reversal counts against the
    kind of allocation it reverses.
    """

    member_id: uuid.UUID
    basis: str
    year: int
    profit: bool
    amount: Decimal


@dataclass(frozen=True)
class ItemJ:
    profit_beginning: Decimal
    profit_ending: Decimal
    loss_beginning: Decimal
    loss_ending: Decimal
    capital_beginning: Decimal
    capital_ending: Decimal


def percent(part: Decimal, whole: Decimal) -> Decimal:
    if whole == 0:
        return ZERO.quantize(PERCENT_PLACES)
    return (part * 100 / whole).quantize(PERCENT_PLACES, ROUND_HALF_EVEN)


def year_shares(figures: list[AllocationFigure], year: int) -> dict[uuid.UUID, tuple[Decimal, Decimal]]:
    """member → (profit %, loss %) of one year; the tax basis, or the book one when tax allocated nothing."""
    of_year = [f for f in figures if f.year == year]
    basis = "tax" if any(f.amount for f in of_year if f.basis == "tax") else "book"
    parts: dict[tuple[uuid.UUID, bool], Decimal] = defaultdict(lambda: ZERO)
    for figure in of_year:
        if figure.basis == basis:
            parts[(figure.member_id, figure.profit)] += figure.amount
    totals = {kind: sum((a for (_, k), a in parts.items() if k == kind), ZERO) for kind in (True, False)}
    shares = {}
    for member in {m for m, _ in parts}:
        profit = percent(parts[(member, True)], totals[True])
        loss = percent(parts[(member, False)], totals[False])
        shares[member] = (profit if totals[True] else loss, loss if totals[False] else profit)
    return shares


def item_j(
    members: list[uuid.UUID],
    allocations: list[AllocationFigure],
    year: int,
    capital: dict[uuid.UUID, tuple[Decimal, Decimal]],
) -> dict[uuid.UUID, ItemJ]:
    """Item J per member; capital maps each member to (beginning, ending) on the tax basis (Item L's)."""
    before, now = year_shares(allocations, year - 1), year_shares(allocations, year)
    none = (ZERO.quantize(PERCENT_PLACES),) * 2
    total_beginning = sum((b for b, _ in capital.values()), ZERO)
    total_ending = sum((e for _, e in capital.values()), ZERO)
    out = {}
    for member in members:
        beginning, ending = capital.get(member, (ZERO, ZERO))
        (profit_b, loss_b), (profit_e, loss_e) = before.get(member, none), now.get(member, none)
        out[member] = ItemJ(
            profit_beginning=profit_b, profit_ending=profit_e, loss_beginning=loss_b, loss_ending=loss_e,
            capital_beginning=percent(beginning, total_beginning), capital_ending=percent(ending, total_ending),
        )
    return out
