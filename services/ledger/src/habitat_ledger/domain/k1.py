"""K-1 data per tax year: Item L on the tax basis (transactional approach), 704(b) book alongside.

Beginning capital is carried forward: the sum of every posting dated before January 1, never
worked backwards from the ending. Each in-year posting falls in exactly one column by its source;
the ending is summed independently, so the tie check catches any posting a column missed.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from habitat_ledger.domain.errors import K1DoesNotTie
from habitat_ledger.domain.money import ZERO

PERCENT_PLACES = Decimal("0.0001")
COLUMN_OF = {"contribution": "contributed", "allocation": "income", "distribution": "withdrawals"}
OTHER_LABEL = {"reversal": "reversals", "opening_balance": "opening balances"}


@dataclass(frozen=True)
class CapitalFigure:
    """Sum of one member's capital postings, credit-positive, by basis, source and before/in the year."""

    member_id: uuid.UUID
    basis: str
    source_type: str
    in_year: bool
    amount: Decimal


@dataclass(frozen=True)
class ItemL:
    beginning: Decimal = ZERO
    contributed: Decimal = ZERO
    income: Decimal = ZERO
    other: Decimal = ZERO
    other_explanation: str = ""
    withdrawals: Decimal = ZERO
    ending: Decimal = ZERO

    @property
    def difference(self) -> Decimal:
        """Zero when beginning + contributed + income ± other − withdrawals = ending."""
        computed = self.beginning + self.contributed + self.income + self.other - self.withdrawals
        return computed - self.ending


@dataclass(frozen=True)
class K1Row:
    member_id: uuid.UUID
    display_name: str
    tax: ItemL
    book: ItemL
    profit_share_percent: Decimal
    capital_percent_beginning: Decimal
    capital_percent_ending: Decimal
    property_built_in_gain: Decimal


def percent(part: Decimal, whole: Decimal) -> Decimal:
    if whole == 0:
        return ZERO.quantize(PERCENT_PLACES)
    return (part * 100 / whole).quantize(PERCENT_PLACES, ROUND_HALF_EVEN)


def item_l(figures: list[CapitalFigure], ending: Decimal) -> ItemL:
    columns: dict[str, Decimal] = defaultdict(lambda: ZERO)
    others: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for figure in figures:
        if not figure.in_year:
            columns["beginning"] += figure.amount
        elif figure.source_type in COLUMN_OF:
            columns[COLUMN_OF[figure.source_type]] += figure.amount
        else:
            others[OTHER_LABEL.get(figure.source_type, figure.source_type)] += figure.amount
    explanation = "; ".join(f"{label} {amount}" for label, amount in sorted(others.items()) if amount != 0)
    return ItemL(
        beginning=columns["beginning"],
        contributed=columns["contributed"],
        income=columns["income"],
        other=sum(others.values(), ZERO),
        other_explanation=explanation,
        withdrawals=-columns["withdrawals"],  # distributions debit capital: shown as a positive withdrawal
        ending=ending,
    )


def build_k1(
    figures: Iterable[CapitalFigure],
    endings: dict[tuple[uuid.UUID, str], Decimal],
    built_in_gains: dict[uuid.UUID, Decimal],
    names: dict[uuid.UUID, str],
) -> list[K1Row]:
    """One row per member with capital activity up to the year's end; refuses if any row fails to tie."""
    grouped: dict[tuple[uuid.UUID, str], list[CapitalFigure]] = defaultdict(list)
    for figure in figures:
        grouped[(figure.member_id, figure.basis)].append(figure)
    members = sorted({m for m, _ in grouped} | {m for m, _ in endings}, key=str)
    items = {
        (m, basis): item_l(grouped.get((m, basis), []), endings.get((m, basis), ZERO))
        for m in members
        for basis in ("tax", "book")
    }
    total_income = sum((items[(m, "tax")].income for m in members), ZERO)
    total_beginning = sum((items[(m, "tax")].beginning for m in members), ZERO)
    total_ending = sum((items[(m, "tax")].ending for m in members), ZERO)
    rows = [
        K1Row(
            member_id=m,
            display_name=names.get(m, str(m)),
            tax=items[(m, "tax")],
            book=items[(m, "book")],
            profit_share_percent=percent(items[(m, "tax")].income, total_income),
            capital_percent_beginning=percent(items[(m, "tax")].beginning, total_beginning),
            capital_percent_ending=percent(items[(m, "tax")].ending, total_ending),
            property_built_in_gain=built_in_gains.get(m, ZERO),
        )
        for m in members
    ]
    ensure_ties(rows)
    return rows


def ensure_ties(rows: list[K1Row]) -> None:
    off = {
        str(row.member_id): str(row.tax.difference if row.tax.difference else row.book.difference)
        for row in rows
        if row.tax.difference or row.book.difference
    }
    if off:
        raise K1DoesNotTie(f"K-1 rows of {len(off)} member(s) do not tie; nothing exported.", off)
