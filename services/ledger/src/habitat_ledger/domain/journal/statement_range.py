"""A member's capital statement for a date range: the balance brought forward, the lines inside, the balance
carried forward."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from habitat_ledger.domain.errors import InvalidStatementRange
from habitat_ledger.domain.journal.statement import CapitalMovement, StatementLine, running_lines
from habitat_ledger.domain.money import ZERO

# a century: every member's whole history, while a typo such as year 0206 for 2026 is refused
MAX_RANGE_DAYS = 36_525


@dataclass(frozen=True)
class RangeStatement:
    starts_on: date
    ends_on: date
    opening_book: Decimal
    opening_tax: Decimal
    lines: list[StatementLine]

    @property
    def closing_book(self) -> Decimal:
        return self.lines[-1].book_balance if self.lines else self.opening_book

    @property
    def closing_tax(self) -> Decimal:
        return self.lines[-1].tax_balance if self.lines else self.opening_tax


def check_range(starts_on: date, ends_on: date) -> None:
    """A range runs forward, from its first day to its last (both included), and at most MAX_RANGE_DAYS."""
    if starts_on > ends_on:
        raise InvalidStatementRange(f"The statement's start ({starts_on}) is after its end ({ends_on}).")
    if (ends_on - starts_on).days >= MAX_RANGE_DAYS:
        raise InvalidStatementRange("A statement covers at most 100 years; choose a shorter range.")


def statement_for_range(movements: list[CapitalMovement], starts_on: date, ends_on: date) -> RangeStatement:
    """The movements dated in the range, in journal order, with running balances from the opening balance:
    the sum of every movement dated before starts_on (movements after ends_on are ignored)."""
    check_range(starts_on, ends_on)
    before = [m for m in movements if m.occurred_on < starts_on]
    inside = [m for m in movements if starts_on <= m.occurred_on <= ends_on]
    opening_book = sum((m.book_amount for m in before), ZERO)
    opening_tax = sum((m.tax_amount for m in before), ZERO)
    return RangeStatement(
        starts_on, ends_on, opening_book, opening_tax, running_lines(inside, opening_book, opening_tax)
    )
