"""Money (and other cent-exact decimals) in JSON bodies and query strings: decimal TEXT such as "500.00".

A JSON number is refused: it has already been through binary floating point in most clients. So are text that
is not a plain decimal ("1e26", "NaN", "Infinity", ""), more than two places that are not zeros ("1.001") and
anything NUMERIC(14, 2) cannot hold (|x| >= 10^12). Each refusal is a pydantic error whose type is its machine
code (CODES); habitat_common.web.errors renders it as {"error": {"code": ..., "message": ...}} with 422.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

CENT = Decimal("0.01")
MONEY_LIMIT = Decimal(10) ** 12  # NUMERIC(14, 2): at most 12 integer digits
HOURS_LIMIT = Decimal(1000)  # NUMERIC(5, 2)
_DECIMAL_TEXT = re.compile(r"[+-]?\d+(?:\.\d+)?")

NOT_TEXT = "amount_not_string"
MALFORMED = "invalid_amount"
TOO_PRECISE = "amount_too_precise"
TOO_LARGE = "amount_too_large"
NEGATIVE = "amount_negative"
CODES = frozenset((NOT_TEXT, MALFORMED, TOO_PRECISE, TOO_LARGE, NEGATIVE))


def parse_cents(raw: object, *, limit: Decimal = MONEY_LIMIT, signed: bool = True) -> Decimal:
    """The decimal a JSON string spells, exact to the cent (two places), or a PydanticCustomError with a code."""
    if not isinstance(raw, str):
        kind = "a JSON number" if isinstance(raw, int | float) and not isinstance(raw, bool) else "that"
        raise PydanticCustomError(NOT_TEXT, f'must be a decimal string such as "500.00", not {kind}')
    text = raw.strip()
    if not _DECIMAL_TEXT.fullmatch(text):
        raise PydanticCustomError(MALFORMED, f'must be a decimal such as "500.00"; {text[:20]!r} is not one')
    amount = Decimal(text)
    if amount != amount.quantize(CENT):
        raise PydanticCustomError(TOO_PRECISE, "may have at most two decimal places (whole cents)")
    if abs(amount) >= limit:
        raise PydanticCustomError(TOO_LARGE, f"must be less than {limit:,} in absolute value")
    amount = amount.quantize(CENT) + 0  # + 0 turns -0.00 into 0.00
    if amount < 0 and not signed:
        raise PydanticCustomError(NEGATIVE, "must not be negative")
    return amount


def _as_text(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _schema(pattern: str, example: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": pattern, "examples": [example]})


_SERIALIZE = PlainSerializer(_as_text, return_type=str, when_used="json")

MoneyIn = Annotated[Decimal, PlainValidator(parse_cents), _SERIALIZE, _schema(r"^-?\d{1,12}(\.\d{1,2})?$", "500.00")]
"""Any sign (corrections, losses, opening balances); the use case decides which signs it accepts."""

NonNegativeMoneyIn = Annotated[
    Decimal,
    PlainValidator(lambda raw: parse_cents(raw, signed=False)),
    _SERIALIZE,
    _schema(r"^\d{1,12}(\.\d{1,2})?$", "500.00"),
]
"""Zero or more."""

HoursIn = Annotated[
    Decimal,
    PlainValidator(lambda raw: parse_cents(raw, limit=HOURS_LIMIT)),
    _SERIALIZE,
    _schema(r"^-?\d{1,3}(\.\d{1,2})?$", "7.50"),
]
"""Hours are not money, but they are multiplied into money: the same text rule, at most 999.99."""
