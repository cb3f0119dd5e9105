"""Roster files: the CSV an admin uploads to onboard members, its header and rows validated all-or-nothing.

The service layer reads the records (habitat_common's CSV stream); an email checker is passed in so the
domain stays free of packages.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from habitat_identity.domain.model import ROLES

HEADERS = (("email", "display_name", "role"), ("email", "display_name", "role", "joined_at"))
MAX_DISPLAY_NAME = 200

# Returns the normalised address or raises ValueError with a reason.
EmailCheck = Callable[[str], str]


@dataclass(frozen=True)
class CsvError:
    """One problem in the file: 1-based line (1 = header) and column (field index)."""

    line: int
    column: int
    field: str
    code: str
    message: str


@dataclass(frozen=True)
class RosterRow:
    """One valid member line."""

    line: int
    email: str
    display_name: str
    role: str
    joined_at: date | None


def read_header(line: int, fields: list[str]) -> tuple[tuple[str, ...], CsvError | None]:
    """The header's column names (trimmed, lower-cased), or the error when they are not one of HEADERS."""
    columns = tuple(name.strip().lower() for name in fields)
    if columns not in HEADERS:
        expected = " or ".join(",".join(h) for h in HEADERS)
        return columns, CsvError(line, 1, "", "bad_header", f"The header must be {expected}.")
    return columns, None


def read_rows(
    records: list[tuple[int, list[str]]], columns: tuple[str, ...], check_email: EmailCheck
) -> tuple[list[RosterRow], list[CsvError]]:
    """Rows of the records after the header (line, fields), or every error found (then the rows must not be used)."""
    rows: list[RosterRow] = []
    errors: list[CsvError] = []
    for line, fields in records:
        row = _parse_row(line, fields, columns, check_email, errors)
        if row is not None:
            rows.append(row)
    errors.extend(_duplicates(rows))
    return rows, sorted(errors, key=lambda e: (e.line, e.column))


def _parse_row(
    line: int, fields: list[str], columns: tuple[str, ...], check_email: EmailCheck, errors: list[CsvError]
) -> RosterRow | None:
    if len(fields) != len(columns):
        column = min(len(fields), len(columns)) + 1
        errors.append(
            CsvError(line, column, "", "wrong_column_count", f"Expected {len(columns)} fields, found {len(fields)}.")
        )
        return None
    values = dict(zip(columns, (f.strip() for f in fields), strict=True))
    found = len(errors)
    try:
        email = check_email(values["email"])
    except ValueError as exc:
        errors.append(CsvError(line, 1, "email", "invalid_email", f"Invalid email {values['email']!r}: {exc}"))
    name = values["display_name"]
    if not name:
        errors.append(CsvError(line, 2, "display_name", "empty_display_name", "The display name is empty."))
    elif any(unicodedata.category(ch) == "Cc" for ch in name):
        errors.append(
            CsvError(line, 2, "display_name", "control_character", "The display name holds a control character.")
        )
    elif len(name) > MAX_DISPLAY_NAME:
        errors.append(
            CsvError(line, 2, "display_name", "display_name_too_long", f"At most {MAX_DISPLAY_NAME} characters.")
        )
    role = values["role"].lower()
    if role not in ROLES:
        errors.append(
            CsvError(line, 3, "role", "unknown_role", f"Unknown role {values['role']!r}; use {', '.join(ROLES)}.")
        )
    joined_at = None
    if values.get("joined_at"):
        try:
            joined_at = date.fromisoformat(values["joined_at"])
        except ValueError:
            errors.append(
                CsvError(line, 4, "joined_at", "invalid_date", f"Invalid date {values['joined_at']!r}; use YYYY-MM-DD.")
            )
    if len(errors) > found:
        return None
    return RosterRow(line, email, name, role, joined_at)


def _duplicates(rows: list[RosterRow]) -> list[CsvError]:
    lines: dict[str, list[int]] = {}
    for row in rows:
        lines.setdefault(row.email, []).append(row.line)
    errors = []
    for email, found in lines.items():
        if len(found) > 1:
            listed = ", ".join(str(n) for n in found)
            for line in found:
                message = f"{email} appears more than once (lines {listed})."
                errors.append(CsvError(line, 1, "email", "duplicate_email", message))
    return errors
