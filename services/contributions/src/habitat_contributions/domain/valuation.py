"""What a contribution is worth: patronage value and capital credit on book and tax bases."""

from __future__ import annotations

from collections.abc import Iterator
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


def valuation_of(
    kind: str,
    *,
    hours: Decimal | None = None,
    rate: Decimal | None = None,
    amount: Decimal | None = None,
    fair_market_value: Decimal | None = None,
    adjusted_basis: Decimal | None = None,
) -> Valuation:
    """The valuation rules on amounts already read: labor is hours x rate rounded half-up to the cent and never
    capital; cash capital is its amount on both bases; property its fair market value on book (and for
    patronage) and the contributor's adjusted basis on tax. Live intake and the import both value by this; a
    figure whose amount is missing (a row the business pass refuses) is None."""
    if kind == "labor":
        value = None if hours is None or rate is None else (hours * rate).quantize(CENT, rounding=ROUND_HALF_UP)
        return Valuation(value=value, book_amount=ZERO, tax_amount=ZERO)
    if kind == "capital":
        return Valuation(value=amount, book_amount=amount, tax_amount=amount)
    return Valuation(value=fair_market_value, book_amount=fair_market_value, tax_amount=adjusted_basis)


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


def sign_problems(kind: str, amounts: dict[str, Decimal | None], *, correction: bool) -> Iterator[tuple[str, str, str]]:
    """(field, code, message) for each amount of the type (those given) with a sign or size the type forbids:
    more than 0, a correction's either sign but never 0 (a property correction may fix the adjusted basis
    alone), an adjusted basis never negative outside a correction, a rate more than 0, at most 24 hours a day.
    Live intake and the import both judge amounts by these rules."""
    for name, amount in amounts.items():
        if amount is None:
            continue
        if name == "adjusted_basis":
            if not correction and amount < 0:
                yield name, "negative_amount", f"{name} must not be negative."
        elif name == "rate":
            if amount <= 0:
                yield name, "non_positive_amount", "rate must be more than 0."
        elif not correction and amount <= 0:
            yield name, "non_positive_amount", f"{name} must be more than 0 (only a correction may be negative)."
        elif correction and amount == 0:
            if name != "fair_market_value":
                yield name, "zero_correction", f"A correction's {name} may be negative but never 0."
            elif not amounts.get("adjusted_basis"):
                say = f"A correction's {name} may be negative but never 0 unless it fixes the adjusted_basis alone."
                yield name, "zero_correction", say
    hours = amounts.get("hours")
    if kind == "labor" and hours is not None and abs(hours) > MAX_HOURS_PER_DAY:
        yield "hours", "hours_out_of_range", f"hours must be at most {MAX_HOURS_PER_DAY} for one day."


def _refuse(problems: Iterator[tuple[str, str, str]]) -> None:
    for _, code, message in problems:
        raise InvalidContribution(message, code=code)


def value_labor(
    hours: Decimal, rate: Decimal | None, card: RateCard, *, correction: bool = False
) -> tuple[Decimal, Decimal, Valuation]:
    """Hours x rate, rounded half-up to the cent; labor is patronage only, never capital.

    A correction may remove hours (negative hours, never zero); the rate is the rate card's range."""
    hours = as_money(hours, "hours")
    _refuse(sign_problems("labor", {"hours": hours}, correction=correction))
    rate = card.default if rate is None else as_money(rate, "rate")
    if not card.minimum <= rate <= card.maximum:
        raise InvalidContribution(
            f"rate must be between {card.minimum} and {card.maximum} per hour.", code="rate_out_of_range"
        )
    return hours, rate, valuation_of("labor", hours=hours, rate=rate)


def value_capital(amount: Decimal, *, correction: bool = False) -> Valuation:
    """Cash capital counts at face value for patronage and on both capital bases (a correction may be negative)."""
    amount = as_money(amount, "amount")
    _refuse(sign_problems("capital", {"amount": amount}, correction=correction))
    return valuation_of("capital", amount=amount)


def value_property(fair_market_value: Decimal, adjusted_basis: Decimal, *, correction: bool = False) -> Valuation:
    """Property: fair market value on book (and for patronage), the contributor's adjusted basis on tax.

    A correction carries the changes, either sign, and may fix the basis alone (fair market value 0)."""
    fmv = as_money(fair_market_value, "fair_market_value")
    basis = as_money(adjusted_basis, "adjusted_basis")
    amounts = {"fair_market_value": fmv, "adjusted_basis": basis}
    _refuse(sign_problems("property", amounts, correction=correction))
    return valuation_of("property", fair_market_value=fmv, adjusted_basis=basis)
