"""Input bounds every HTTP entrypoint shares: pages, text and dates.

Rules in one place, so that the gateway and the services refuse the same inputs with the same
codes (habitat_common.web.errors renders them as {"error": {"code": ..., "message": ...}} with 422):

- pages: ``limit`` 1..MAX_LIMIT, ``offset`` 0..MAX_OFFSET (a 64-bit offset used to reach
  PostgreSQL and fail there with a 500);
- text: no NUL anywhere (PostgreSQL refuses \\x00 in text), code ``nul_character``; names and
  other one-line labels refuse every control character, code ``control_character``;
- dates: ISO strings ``YYYY-MM-DD`` only (never an integer read as seconds since 1970), years
  MIN_YEAR..MAX_YEAR, codes ``invalid_date`` and ``date_out_of_range``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any

from fastapi import Query
from pydantic import AfterValidator, BaseModel, BeforeValidator, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000
MIN_YEAR = 1900
MAX_YEAR = 2200

NUL_CHARACTER = "nul_character"
CONTROL_CHARACTER = "control_character"
INVALID_DATE = "invalid_date"
DATE_OUT_OF_RANGE = "date_out_of_range"
CODES = frozenset((NUL_CHARACTER, CONTROL_CHARACTER, INVALID_DATE, DATE_OUT_OF_RANGE))

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description=f"Rows to skip, 0..{MAX_OFFSET:,}")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Rows to return, 1..{MAX_LIMIT}")]


def no_nul(value: Any) -> Any:
    """Refuse a string holding NUL (PostgreSQL cannot store it in text)."""
    if isinstance(value, str) and "\x00" in value:
        raise PydanticCustomError(NUL_CHARACTER, "must not contain a NUL character")
    return value


def no_control(value: Any) -> Any:
    """Refuse a one-line label holding any control character (NUL, tab, newline, DEL, C1 ...)."""
    no_nul(value)
    if isinstance(value, str) and any(unicodedata.category(ch) == "Cc" for ch in value):
        raise PydanticCustomError(CONTROL_CHARACTER, "must not contain control characters")
    return value


def nul_problem(text: str) -> int | None:
    """The 1-based column of the first NUL in a CSV cell or line, or None (for FILE:LINE:COLUMN reports)."""
    index = text.find("\x00")
    return None if index < 0 else index + 1


class JsonSchemaPattern:
    """Adds `pattern` to a type's JSON schema only: the validator beside it keeps its own error code, and the
    OpenAPI tells clients (and fuzzers) what the validator refuses."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        return handler(core_schema) | {"pattern": self.pattern}


NO_NUL_PATTERN = r"^[^\x00]*$"
NO_CONTROL_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"  # Unicode category Cc, what no_control refuses

Text = Annotated[str, AfterValidator(no_nul), JsonSchemaPattern(NO_NUL_PATTERN)]
"""Free text (descriptions, notes, emails, search terms): anything but NUL."""

Name = Annotated[str, AfterValidator(no_control), JsonSchemaPattern(NO_CONTROL_PATTERN)]
"""A one-line label (display names, titles): no control characters."""

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(value: Any) -> dt.date:
    """A date from its ISO string YYYY-MM-DD only, its year within MIN_YEAR..MAX_YEAR."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(INVALID_DATE, f"{value!r} is not a calendar date") from None
    else:
        shown = repr(value)[:30]
        raise PydanticCustomError(INVALID_DATE, f"must be a date string YYYY-MM-DD, not {shown}")
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise PydanticCustomError(DATE_OUT_OF_RANGE, f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
    return parsed


def _no_nul_anywhere(value: Any) -> Any:
    if isinstance(value, str):
        return no_nul(value)
    if isinstance(value, list | tuple):
        for item in value:
            _no_nul_anywhere(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul_anywhere(key)
            _no_nul_anywhere(item)
    return value


class RequestBody(BaseModel):
    """Base of every JSON request body: no string anywhere in it may hold NUL (code nul_character)."""

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        return _no_nul_anywhere(value)


# the years MIN_YEAR..MAX_YEAR (1900..2200) spelled as a pattern, for the schema
ISO_DATE_PATTERN = r"^(19\d\d|2[01]\d\d|2200)-\d{2}-\d{2}$"
IsoDate = Annotated[
    dt.date,
    BeforeValidator(iso_date),  # parses itself; the date schema then only passes the date on
    WithJsonSchema({"type": "string", "format": "date", "pattern": ISO_DATE_PATTERN}),
]
"""A date in JSON or a query string: "YYYY-MM-DD" only, years MIN_YEAR..MAX_YEAR."""

__all__ = [
    "CODES",
    "ISO_DATE_PATTERN",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "MAX_YEAR",
    "MIN_YEAR",
    "IsoDate",
    "JsonSchemaPattern",
    "Limit",
    "Name",
    "Offset",
    "RequestBody",
    "Text",
    "iso_date",
    "no_control",
    "no_nul",
    "nul_problem",
]
