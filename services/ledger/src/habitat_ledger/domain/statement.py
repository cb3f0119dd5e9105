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


def running_lines(movements: list[CapitalMovement]) -> list[StatementLine]:
    """Movements in journal order, each with the balances after it."""
    book = tax = ZERO
    lines = []
    for movement in movements:
        book += movement.book_amount
        tax += movement.tax_amount
        lines.append(StatementLine(movement, book, tax))
    return lines
