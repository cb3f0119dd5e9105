"""What a contribution is worth: patronage value and capital credit on book and tax bases."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from habitat_contributions.domain.errors import InvalidContribution

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_MONEY = Decimal("999999999999.99")  # NUMERIC(14,2)
MAX_HOURS_PER_DAY = Decimal(24)


@dataclass(frozen=True)
class RateCard:
    """The co-op's labor rate: default and the allowed range, per hour."""

    default: Decimal = Decimal("100.00")
    minimum: Decimal = Decimal("75.00")
    maximum: Decimal = Decimal("150.00")

    def __post_init__(self) -> None:
        if not self.minimum <= self.default <= self.maximum:
            raise ValueError("rate card needs minimum <= default <= maximum")


@dataclass(frozen=True)
class Valuation:
    """Patronage value plus capital credit on each basis, all in currency units to the cent."""

    value: Decimal
    book_amount: Decimal
    tax_amount: Decimal


def as_money(raw: object, field: str) -> Decimal:
    """Exact decimal with at most two places; rejects floats' binary noise by design (str first)."""
    if isinstance(raw, bool) or raw is None:
        raise InvalidContribution(f'{field} must be a decimal amount such as "12.50".', code="invalid_amount")
    try:
        amount = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except InvalidOperation:
        raise InvalidContribution(f'{field} must be a decimal amount such as "12.50".', code="invalid_amount") from None
    if not amount.is_finite():
        raise InvalidContribution(f"{field} must be a finite amount.", code="invalid_amount")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidContribution(f"{field} may have at most two decimal places.", code="invalid_amount")
    if abs(amount) > MAX_MONEY:
        raise InvalidContribution(f"{field} is too large.", code="invalid_amount")
    return amount.quantize(CENT)


def value_labor(
    hours: Decimal, rate: Decimal | None, card: RateCard, *, correction: bool = False
) -> tuple[Decimal, Decimal, Valuation]:
    """Hours x rate, rounded half-up to the cent; labor is patronage only, never capital.

    A correction may remove hours (negative hours, never zero)."""
    hours = as_money(hours, "hours")
    low = -MAX_HOURS_PER_DAY if correction else ZERO
    if not (low <= hours <= MAX_HOURS_PER_DAY and hours != ZERO and (correction or hours > ZERO)):
        span = "between -24 and 24 and not 0" if correction else "more than 0 and at most 24"
        raise InvalidContribution(f"hours must be {span} for one day.", code="invalid_hours")
    rate = card.default if rate is None else as_money(rate, "rate")
    if not card.minimum <= rate <= card.maximum:
        raise InvalidContribution(
            f"rate must be between {card.minimum} and {card.maximum} per hour.", code="rate_out_of_range"
        )
    value = (hours * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return hours, rate, Valuation(value=value, book_amount=ZERO, tax_amount=ZERO)


def value_capital(amount: Decimal, *, correction: bool = False) -> Valuation:
    """Cash capital counts at face value for patronage and on both capital bases (a correction may be negative)."""
    amount = as_money(amount, "amount")
    if amount == ZERO or (amount < ZERO and not correction):
        raise InvalidContribution("amount must be more than 0.", code="invalid_amount")
    return Valuation(value=amount, book_amount=amount, tax_amount=amount)


def value_property(fair_market_value: Decimal, adjusted_basis: Decimal, *, correction: bool = False) -> Valuation:
    """Property: fair market value on book (and for patronage), the contributor's adjusted basis on tax.

    A correction carries the changes, either sign, and may fix the basis alone (fair market value 0)."""
    fmv = as_money(fair_market_value, "fair_market_value")
    basis = as_money(adjusted_basis, "adjusted_basis")
    if correction and fmv == ZERO == basis:
        raise InvalidContribution(
            "A correction must change the fair_market_value, the adjusted_basis or both.", code="invalid_amount"
        )
    if fmv <= ZERO and not correction:
        raise InvalidContribution("fair_market_value must be more than 0.", code="invalid_amount")
    if basis < ZERO and not correction:
        raise InvalidContribution("adjusted_basis must not be negative.", code="invalid_amount")
    return Valuation(value=fmv, book_amount=fmv, tax_amount=basis)
