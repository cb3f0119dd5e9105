"""The capital accounts (opening balances) CSV: its columns and the rules of the format pass, row by row.

member_email, book_balance, tax_balance, as_of are required; note is optional. Balances may be
negative and have at most two decimals; as_of is the balance date in the previous system.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from habitat_ledger.domain.money import money

COLUMNS = ("member_email", "book_balance", "tax_balance", "as_of", "note")
REQUIRED = COLUMNS[:4]
MAX_NOTE = 500
AMOUNT = re.compile(r"-?\d{1,12}(\.\d{1,2})?")  # NUMERIC(14, 2)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")


@dataclass(frozen=True)
class OpeningBalanceRow:
    """One format-valid line: the email lower-cased, amounts exact."""

    line: int
    member_email: str
    book_balance: Decimal
    tax_balance: Decimal
    as_of: date
    note: str | None


@dataclass(frozen=True)
class ImportSummary:
    """Rows of the file by what the import does (or would do) with them, and the file's totals."""

    rows: int
    created: int
    updated: int
    unchanged: int
    book_total: Decimal
    tax_total: Decimal


@dataclass(frozen=True)
class PlannedRow:
    """A line of the file, its member and what the import does with it: created, updated or unchanged."""

    line: int
    member_email: str
    member_id: uuid.UUID
    book_balance: Decimal
    tax_balance: Decimal
    as_of: date
    note: str | None
    action: str


@dataclass(frozen=True)
class Finding:
    """A value of a row that breaks a rule: its field, a stable code and a sentence."""

    field: str
    code: str
    message: str


def check_row(line: int, values: dict[str, str]) -> OpeningBalanceRow | list[Finding]:
    """The row of one line's trimmed values by column name, or what is wrong with them."""
    check = _Check([])
    email = check.email(values["member_email"])
    book = check.amount("book_balance", values["book_balance"])
    tax = check.amount("tax_balance", values["tax_balance"])
    as_of = check.day("as_of", values["as_of"])
    note = values.get("note") or None
    if note is not None and len(note) > MAX_NOTE:
        check.problem("note", "note_too_long", f"The note has {len(note)} characters; at most {MAX_NOTE}.")
    if check.found:
        return check.found
    return OpeningBalanceRow(line, email, book, tax, as_of, note)


@dataclass(frozen=True)
class _Check:
    found: list[Finding]

    def problem(self, field: str, code: str, message: str) -> None:
        self.found.append(Finding(field, code, message))

    def email(self, value: str) -> str:
        if not value:
            self.problem("member_email", "missing_value", "The member's email is empty.")
        elif not EMAIL.fullmatch(value):
            self.problem("member_email", "invalid_email", f"{value!r} is not an email address.")
        return value.lower()

    def amount(self, field: str, value: str) -> Decimal:
        if not value:
            self.problem(field, "missing_value", f"The {field} is empty; write 0.00 for none.")
        elif not AMOUNT.fullmatch(value):
            self.problem(
                field, "invalid_amount",
                f"Invalid amount {value!r}: use a number with at most two decimals and no separators, e.g. -1234.50.",
            )
        else:
            return money(value)
        return Decimal(0)

    def day(self, field: str, value: str) -> date:
        if not value:
            self.problem(field, "missing_value", f"The {field} date is empty.")
        else:
            try:
                if ISO_DATE.fullmatch(value):
                    return date.fromisoformat(value)
            except ValueError:
                pass
            self.problem(field, "invalid_date", f"Invalid date {value!r}; use YYYY-MM-DD.")
        return date.min
