"""The capital accounts (opening balances) CSV: its columns and the format pass, row by row as it streams.

member_email, book_balance, tax_balance, as_of are required; note is optional. Balances may be
negative and have at most two decimals; as_of is the balance date in the previous system.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from habitat_ledger.domain.csv_stream import (
    CsvProblem,
    CsvRecordStream,
    ProblemLog,
    Record,
    UnreadableFile,
    match_header,
)
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


class CapitalAccountsFile:
    """The format pass over an upload as it arrives: feed() chunks, finish(); format-valid rows come out.

    Every format problem is logged (the first 200 kept). After one the rows are of no use, so
    callers may stop keeping them; an unreadable file or a bad header stops the reading itself.
    """

    def __init__(self) -> None:
        self.problems = ProblemLog()
        self.columns: dict[str, int] = {}
        self.rows = 0
        self._stream = CsvRecordStream()
        self._header_seen = False
        self._stopped = False

    def feed(self, chunk: bytes) -> list[OpeningBalanceRow]:
        if self._stopped:
            return []
        try:
            return self._rows(self._stream.feed(chunk))
        except UnreadableFile as unreadable:
            return self._stop(unreadable.problem)

    def finish(self) -> list[OpeningBalanceRow]:
        if self._stopped:
            return []
        try:
            rows = self._rows(self._stream.finish())
        except UnreadableFile as unreadable:
            return self._stop(unreadable.problem)
        if not self._header_seen:
            self._stop(CsvProblem(1, 1, "", "empty_file", f"The file is empty; expected a header: {','.join(COLUMNS)}."))
        return rows

    def _stop(self, problem: CsvProblem) -> list[OpeningBalanceRow]:
        self.problems.add(problem)
        self._stopped = True
        return []

    def _rows(self, records: list[Record]) -> list[OpeningBalanceRow]:
        rows = []
        for record in records:
            if self._stopped:
                break
            if record.fields is not None and not any(f.strip() for f in record.fields):
                continue  # blank lines, and the ",,,," spreadsheets leave behind
            if not self._header_seen:
                self._header(record)
            elif (row := self._row(record)) is not None:
                rows.append(row)
        return rows

    def _header(self, record: Record) -> None:
        self._header_seen = True
        if record.fields is None:
            self._stop(CsvProblem(record.line, 1, "", "malformed_csv", f"The header is not valid CSV: {record.error}."))
            return
        self.columns, problems = match_header(record.fields, COLUMNS, REQUIRED)
        for problem in problems:
            self.problems.add(problem)
        if problems:
            self._stopped = True

    def _row(self, record: Record) -> OpeningBalanceRow | None:
        self.rows += 1
        if record.fields is None:
            self.problems.add(CsvProblem(record.line, 1, "", "malformed_csv", f"Not valid CSV: {record.error}."))
            return None
        fields = record.fields
        if len(fields) != len(self.columns):
            column = min(len(fields), len(self.columns)) + 1
            message = f"Expected {len(self.columns)} fields, found {len(fields)}."
            self.problems.add(CsvProblem(record.line, column, "", "wrong_column_count", message))
            return None
        values = {name: fields[index - 1].strip() for name, index in self.columns.items()}
        check = _Check(record.line, self.columns, [])
        email = check.email(values["member_email"])
        book = check.amount("book_balance", values["book_balance"])
        tax = check.amount("tax_balance", values["tax_balance"])
        as_of = check.day("as_of", values["as_of"])
        note = values.get("note") or None
        if note is not None and len(note) > MAX_NOTE:
            check.problem("note", "note_too_long", f"The note has {len(note)} characters; at most {MAX_NOTE}.")
        if check.found:
            for problem in sorted(check.found, key=lambda p: p.column):
                self.problems.add(problem)
            return None
        return OpeningBalanceRow(record.line, email, book, tax, as_of, note)


@dataclass(frozen=True)
class _Check:
    line: int
    columns: dict[str, int]
    found: list[CsvProblem]

    def problem(self, field: str, code: str, message: str) -> None:
        self.found.append(CsvProblem(self.line, self.columns[field], field, code, message))

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
