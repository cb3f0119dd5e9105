"""Keyset paging shared by the list endpoints: ``after=<cursor>`` in, ``next_cursor`` (cursor or null) out.

A cursor is the sort key of the last row handed out, as url-safe base64 of a JSON list headed by the
list's name, so a cursor from one list is refused by another. It is opaque to clients: they pass back
what ``next_cursor`` gave them. A cursor that does not decode is refused with 422 ``invalid_cursor``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query

from habitat_common.web.errors import ApiError

INVALID_CURSOR = "invalid_cursor"
MAX_CURSOR_LENGTH = 512

After = Annotated[
    str | None,
    Query(
        max_length=MAX_CURSOR_LENGTH,
        description="Keyset paging: the `next_cursor` of the previous page; rows after it in the list's order "
        "(stable even while rows are added). Combine with the same filters; offset still skips rows after it.",
    ),
]


def encode_cursor(kind: str, *key: Any) -> str:
    """The opaque cursor after a row whose sort key is ``key`` in the list named ``kind``."""
    values = [value.isoformat() if isinstance(value, datetime) else str(value) for value in key]
    raw = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def aware_datetime(text: str) -> datetime:
    """A cursor's timestamp; refuses one without a UTC offset."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("naive timestamp")
    return value


def decode_cursor(cursor: str, kind: str, *parsers: Callable[[str], Any]) -> tuple:
    """The sort key in a cursor of the list named ``kind``, each part read by its parser; ApiError 422 if not."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(parsers) + 1 or values[0] != kind:
            raise ValueError("another list's cursor")
        if not all(isinstance(v, str) and "\x00" not in v for v in values[1:]):
            raise ValueError("not text")
        return tuple(parse(value) for parse, value in zip(parsers, values[1:], strict=True))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise ApiError(
            422, INVALID_CURSOR, "after: not a cursor this list gave out; start again from the first page"
        ) from error


def like_pattern(q: str) -> str:
    """An ILIKE pattern finding q anywhere, its wildcards and backslashes taken literally."""
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
