"""Command-line values checked before anything is sent: dates, amounts, ids."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

from habitat_cli.client import CliError


def iso_date(value: str, what: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise CliError(f"{what}: {value!r} is not a date (YYYY-MM-DD)") from None


def decimal_text(value: str, what: str) -> str:
    """A finite decimal as a string (money and weights travel as strings, never floats)."""
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise CliError(f"{what}: {value!r} is not a number")
    return str(number)


def uuid_text(value: str, what: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise CliError(f"{value!r} is not {what}") from None
