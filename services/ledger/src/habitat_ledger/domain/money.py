"""Money is a Decimal with exactly two places; nothing here ever touches a float."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999999.99")  # what the NUMERIC(14, 2) money columns hold


def money(value: Decimal | int | str) -> Decimal:
    """Exact amount in currency units with two places; refuses floats and sub-cent amounts."""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    amount = Decimal(value)
    quantized = amount.quantize(CENT, rounding=ROUND_HALF_EVEN)
    if quantized != amount:
        raise ValueError(f"{value} has more than two decimal places")
    return quantized
