"""A member's capital statement: every transaction touching their capital, with running balances."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from habitat_ledger.domain.money import ZERO


@dataclass(frozen=True)
class CapitalMovement:
    """One transaction's effect on a member's capital, credit-positive, per basis."""

    transaction_id: uuid.UUID
    occurred_on: date
    source_type: str
    source_id: uuid.UUID
    description: str
    book_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class StatementLine:
    movement: CapitalMovement
    book_balance: Decimal
    tax_balance: Decimal


def running_lines(
    movements: list[CapitalMovement], opening_book: Decimal = ZERO, opening_tax: Decimal = ZERO
) -> list[StatementLine]:
    """Movements in journal order, each with the balances after it (starting from the opening balances)."""
    book, tax = opening_book, opening_tax
    lines = []
    for movement in movements:
        book += movement.book_amount
        tax += movement.tax_amount
        lines.append(StatementLine(movement, book, tax))
    return lines


def latest_lines(movements: list[CapitalMovement], book_balance: Decimal, tax_balance: Decimal) -> list[StatementLine]:
    """The latest movements of an account whose balances after them are known: what came before them is
    the balance less their sum, so the older history need not be read."""
    opening_book = book_balance - sum((m.book_amount for m in movements), ZERO)
    opening_tax = tax_balance - sum((m.tax_amount for m in movements), ZERO)
    return running_lines(movements, opening_book, opening_tax)
