"""A member's row of an allocation in plain sentences: the statement page and the share mail say the same."""

from __future__ import annotations

from decimal import Decimal

from habitat_ledger.domain.close.allocation import plain, result_words
from habitat_ledger.domain.close.proposal import Allocation, AllocationRow
from habitat_ledger.domain.money import ZERO


def explain_share(allocation: Allocation, period_name: str, row: AllocationRow) -> list[str]:
    """How the member's allocation came about: the result and weights, their weighted patronage and share, their
    allocation on each basis, and what is paid in cash or stays in their capital account."""
    return explain_shares(allocation, period_name, [row])[0]


def explain_shares(allocation: Allocation, period_name: str, rows: list[AllocationRow]) -> list[list[str]]:
    """explain_share for each of rows, the allocation's total weighted patronage summed once."""
    total = sum((r.weighted_patronage for r in allocation.rows if r.weighted_patronage > 0), ZERO)
    return [_sentences(allocation, period_name, row, total) for row in rows]


def _sentences(allocation: Allocation, period_name: str, row: AllocationRow, total: Decimal) -> list[str]:
    kind = "loss" if allocation.surplus < 0 else "surplus"
    why = f", because only positive weighted patronage shares in the {kind}." if row.weighted_patronage <= 0 else "."
    separate_tax = allocation.tax_surplus != allocation.surplus
    return [
        (
            f"For period {period_name}, the co-op allocated {result_words(allocation.surplus)} by weighted patronage "
            f"(weights: labor {plain(allocation.weights.labor)}, capital {plain(allocation.weights.capital)}, "
            f"property {plain(allocation.weights.property)})."
        ),
        *([f"On the tax basis the result was {result_words(allocation.tax_surplus)}, allocated by the same shares."]
          if separate_tax else []),
        f"Your weighted patronage was {plain(row.weighted_patronage)} of {plain(total)} in total, a share of {row.share}.",
        f"Your allocation is {row.allocation}{why}",
        *([f"Your tax-basis allocation is {row.tax_allocation}."] if separate_tax else []),
        (
            "A loss is charged to your capital account; none of it is paid in cash."
            if allocation.surplus < 0 else
            f"{plain(allocation.cash_portion)}% is paid in cash: {row.cash_portion_amount} is scheduled as a "
            f"distribution, and {row.retained_amount} stays in your capital account."
        ),
        f"This allocation is {allocation.status}.",
    ]
