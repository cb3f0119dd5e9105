"""K-1 data per tax year: Item L on the tax basis (transactional approach), 704(b) book alongside.

Beginning capital is carried forward: the sum of every posting dated before January 1 (opening
balances dated before the year included), never worked backwards from the ending, and checked
against the ending issued for the previous year. Each in-year posting falls in exactly one column
by its line: a reversal lands on the line of the transaction it reverses (a reversed contribution
reduces capital contributed); in-year opening balances are an other increase (decrease), explained.
The ending is summed independently, so the tie checks catch any posting a column missed.

§704(c): the built-in gain of contributed property (book − tax of property contributions, less
their reversals) is carried per member, cumulatively, at the beginning and end of the year.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from habitat_ledger.domain.exports import k1_ties
from habitat_ledger.domain.exports.k1_issue import IssuedEnding
from habitat_ledger.domain.exports.k1_shares import AllocationFigure, ItemJ, item_j
from habitat_ledger.domain.money import ZERO

COLUMN_OF = {"contribution": "contributed", "allocation": "income", "distribution": "withdrawals"}
OTHER_LABEL = {"reversal": "reversals", "opening_balance": "opening balances"}
BASES = k1_ties.BASES


@dataclass(frozen=True)
class CapitalFigure:
    """Sum of one member's capital postings, credit-positive, by basis, line and before/in the year.

    source_type names the line: a reversal's is that of the transaction it reverses.
    """

    member_id: uuid.UUID
    basis: str
    source_type: str
    in_year: bool
    amount: Decimal


@dataclass(frozen=True)
class K1Figures:
    """What the ledger holds for one tax year, each part read on its own."""

    figures: list[CapitalFigure]
    endings: dict[tuple[uuid.UUID, str], Decimal]
    # §704(c) built-in gain by (member, in the year?): book − tax of property contributions and their reversals
    built_in_gains: dict[tuple[uuid.UUID, bool], Decimal] = field(default_factory=dict)
    # all member capital up to December 31 per basis, one aggregate (not the sum of the rows above)
    capital_totals: dict[str, Decimal] = field(default_factory=dict)
    allocations: list[AllocationFigure] = field(default_factory=list)


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
    item_j: ItemJ
    section_704c_gain_beginning: Decimal = ZERO
    section_704c_gain_ending: Decimal = ZERO

    def on(self, basis: str) -> ItemL:
        return self.tax if basis == "tax" else self.book

    def issued_ending(self) -> IssuedEnding:
        return IssuedEnding(self.member_id, self.tax.ending, self.book.ending, self.section_704c_gain_ending)


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
    year: int,
    data: K1Figures,
    names: dict[uuid.UUID, str],
    previous: dict[uuid.UUID, IssuedEnding] | None = None,
) -> list[K1Row]:
    """One row per member with activity in the year or capital at either end; refuses unless it all ties.

    previous holds the endings issued for year − 1 (None when that year was not issued).
    """
    grouped: dict[tuple[uuid.UUID, str], list[CapitalFigure]] = defaultdict(list)
    for figure in data.figures:
        grouped[(figure.member_id, figure.basis)].append(figure)
    gains = data.built_in_gains
    members = sorted({m for m, _ in grouped} | {m for m, _ in data.endings} | {m for m, _ in gains}, key=str)
    items = {
        (m, basis): item_l(grouped.get((m, basis), []), data.endings.get((m, basis), ZERO))
        for m in members
        for basis in BASES
    }
    capital = {m: (items[(m, "tax")].beginning, items[(m, "tax")].ending) for m in members}
    shares = item_j(members, data.allocations, year, capital)
    active = {f.member_id for f in data.figures if f.in_year}
    rows = []
    for m in members:
        gain_beginning = gains.get((m, False), ZERO)
        row = K1Row(
            member_id=m,
            display_name=names.get(m, str(m)),
            tax=items[(m, "tax")],
            book=items[(m, "book")],
            item_j=shares[m],
            section_704c_gain_beginning=gain_beginning,
            section_704c_gain_ending=gain_beginning + gains.get((m, True), ZERO),
        )
        if m in active or not is_empty(row):
            rows.append(row)
    ensure_ties(rows, data, previous)
    return rows


def is_empty(row: K1Row) -> bool:
    """Nothing to report: zero at both ends on both bases, and no built-in gain."""
    amounts = (row.tax.beginning, row.tax.ending, row.book.beginning, row.book.ending,
               row.section_704c_gain_beginning, row.section_704c_gain_ending)
    return not any(amounts)


def ensure_ties(rows: list[K1Row], data: K1Figures, previous: dict[uuid.UUID, IssuedEnding] | None) -> None:
    """K1DoesNotTie listing every difference, unless each row, the carried beginnings and the total tie."""
    differences = [
        k1_ties.TieDifference("item_l", basis, row.on(basis).ending,
                              row.on(basis).ending + row.on(basis).difference, row.member_id)
        for row in rows
        for basis in BASES
        if row.on(basis).difference
    ]
    if previous is not None:
        beginnings = {(row.member_id, basis): row.on(basis).beginning for row in rows for basis in BASES}
        differences += k1_ties.carried_forward(beginnings, previous)
        differences += [
            k1_ties.TieDifference("section_704c_carried_forward", "book-tax", issued.section_704c_gain,
                                  gain, member)
            for member, issued, gain in gain_beginnings(rows, previous)
            if gain != issued.section_704c_gain
        ]
    endings = ((basis, row.on(basis).ending) for row in rows for basis in BASES)
    differences += k1_ties.capital_total(endings, data.capital_totals)
    k1_ties.refuse_unless_tied(differences)


def gain_beginnings(rows: list[K1Row], previous: dict[uuid.UUID, IssuedEnding]):
    """(member, issued ending, this year's beginning) of the §704(c) gain, for every member in either."""
    beginning = {row.member_id: row.section_704c_gain_beginning for row in rows}
    for member in sorted(set(beginning) | set(previous), key=str):
        issued = previous.get(member, IssuedEnding(member, ZERO, ZERO, ZERO))
        yield member, issued, beginning.get(member, ZERO)


def ensure_as_issued(rows: list[K1Row], issued: dict[uuid.UUID, IssuedEnding]) -> None:
    """K1DoesNotTie unless an issued year's endings are still those it was issued with."""
    endings = {(row.member_id, basis): row.on(basis).ending for row in rows for basis in BASES}
    k1_ties.refuse_unless_tied(k1_ties.against_issued("ending_as_issued", endings, issued))

