"""Format checks over one column of a batch of records at a time.

Each check returns the column's cleaned values (trimmed text, "" when empty) and appends a Bad for every value
that fails. Working a column at a time lets most checks run once per distinct value (dates, emails, enums
repeat a lot) and keeps the per-row Python work to a list comprehension; offenders are looked up only when
a column has any.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime

Bad = tuple[int, str, str, str]  # index in the batch, column name, code, message

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}.*")
_DECIMALS = re.compile(r"[+-]?[0-9]*\.[0-9]{3,}")
_ANY_NUMBER = re.compile(r"[+-]?[0-9]+\.?[0-9]{0,2}")
MAX_EMAIL = 320


def number_pattern(integer_digits: int) -> re.Pattern:
    """Decimal text with at most integer_digits before and 2 after the point (NUMERIC(p, 2))."""
    return re.compile(rf"[+-]?(?:[0-9]{{1,{integer_digits}}}(?:\.[0-9]{{0,2}})?|\.[0-9]{{1,2}})")


def required_text(values: Sequence[str], name: str, bad: list[Bad], limit: int | None = None) -> list[str]:
    out = [v.strip() for v in values]
    too_long = limit is not None and max(map(len, out), default=0) > limit
    if too_long or "" in out:
        for i, v in enumerate(out):
            if not v:
                bad.append((i, *required(name)))
            elif limit is not None and len(v) > limit:
                bad.append((i, *too_long_value(name, limit)))
    return out


def optional_text(values: Sequence[str], name: str, bad: list[Bad], limit: int) -> list[str]:
    out = [v.strip() for v in values]
    if max(map(len, out), default=0) > limit:
        bad.extend((i, *too_long_value(name, limit)) for i, v in enumerate(out) if len(v) > limit)
    return out


def folded_text(values: Sequence[str], name: str, bad: list[Bad], limit: int, default: str) -> list[str]:
    """White space folded to single spaces; empty becomes the default."""
    out = [" ".join(v.split()) or default for v in values]
    if max(map(len, out), default=0) > limit:
        bad.extend((i, *too_long_value(name, limit)) for i, v in enumerate(out) if len(v) > limit)
    return out


def emails(values: Sequence[str], name: str, bad: list[Bad], *, required_: bool) -> list[str]:
    """Lower-cased addresses (matched against the member replica case-insensitively)."""
    out = [v.strip().lower() for v in values]
    distinct = set(out)
    wrong = {v for v in distinct if v and (len(v) > MAX_EMAIL or not _EMAIL.fullmatch(v))}
    if wrong or (required_ and "" in distinct):
        for i, v in enumerate(out):
            if v in wrong:
                bad.append((i, name, "invalid_email", f"{name} {values[i].strip()!r} is not an email address."))
            elif not v and required_:
                bad.append((i, *required(name)))
    return out


def choice(values: Sequence[str], name: str, bad: list[Bad], allowed: frozenset[str]) -> list[str]:
    """Lower-cased values that must be one of allowed."""
    out = [v.strip().lower() for v in values]
    wrong = set(out) - allowed
    if wrong:
        say = ", ".join(sorted(allowed))
        for i, v in enumerate(out):
            if not v:
                bad.append((i, *required(name)))
            elif v in wrong:
                bad.append((i, name, f"invalid_{name}", f"{name} must be one of {say}, not {v!r}."))
    return out


def dates(values: Sequence[str], name: str, bad: list[Bad]) -> list[str]:
    """Calendar dates written YYYY-MM-DD."""
    out = [v.strip() for v in values]
    wrong = {v for v in set(out) if not _is_date(v)}
    if wrong:
        for i, v in enumerate(out):
            if not v:
                bad.append((i, *required(name)))
            elif v in wrong:
                bad.append((i, name, "invalid_date", f"{name} must be a date written YYYY-MM-DD, not {v!r}."))
    return out


def datetimes(values: Sequence[str], name: str, bad: list[Bad]) -> list[str]:
    """ISO 8601 date and time, as ISO text with an offset (naive means UTC)."""
    raw = [v.strip() for v in values]
    as_utc = {v: _iso_datetime(v) if v else "" for v in set(raw)}
    if None in as_utc.values():
        example = "2026-03-31T17:00:00Z"
        for i, v in enumerate(raw):
            if as_utc[v] is None:
                message = f"{name} must be an ISO 8601 date and time such as {example}, not {v!r}."
                bad.append((i, name, "invalid_datetime", message))
    return [as_utc[v] for v in raw]


def numbers(values: Sequence[str], name: str, bad: list[Bad], pattern: re.Pattern) -> list[str]:
    """Decimal text as written (PostgreSQL casts it); one regex over the distinct values joined by newlines."""
    out = [v.strip() for v in values]
    distinct = set(out)
    distinct.discard("")
    if distinct and not _all_match(pattern, distinct):
        wrong = {v for v in distinct if not pattern.fullmatch(v)}
        bad.extend((i, *_bad_number(name, v)) for i, v in enumerate(out) if v in wrong)
    return out


def required(name: str) -> tuple[str, str, str]:
    return name, "missing_value", f"{name} is required."


def too_long_value(name: str, limit: int) -> tuple[str, str, str]:
    return name, "value_too_long", f"{name} may have at most {limit} characters."


_JOINED: dict[str, re.Pattern] = {}


def _all_match(pattern: re.Pattern, values: set[str]) -> bool:
    joined = _JOINED.get(pattern.pattern)
    if joined is None:
        joined = _JOINED[pattern.pattern] = re.compile(rf"(?:{pattern.pattern})(?:\n(?:{pattern.pattern}))*")
    return joined.fullmatch("\n".join(values)) is not None


def _bad_number(name: str, raw: str) -> tuple[str, str, str]:
    if _DECIMALS.fullmatch(raw):
        return name, "too_many_decimals", f"{name} may have at most 2 decimal places, not {raw!r}."
    if _ANY_NUMBER.fullmatch(raw):
        return name, "number_too_large", f"{name} {raw!r} is too large."
    return name, "invalid_number", f"{name} must be a decimal number such as 12.50, not {raw!r}."


def _is_date(raw: str) -> bool:
    try:
        return bool(_DATE.fullmatch(raw)) and bool(date.fromisoformat(raw))
    except ValueError:
        return False


def _iso_datetime(raw: str) -> str | None:
    try:
        moment = datetime.fromisoformat(raw) if _DATETIME.fullmatch(raw) else None
    except ValueError:
        return None
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()
