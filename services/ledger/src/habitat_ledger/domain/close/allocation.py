"""Allocating a period's surplus by weighted patronage, exactly to the cent (pure, no I/O).

Rules (PRODUCT.md, "Accounting rules" 3 and 4): a member's weighted patronage is the sum over
their approved contributions of value x weight(type); score = member weighted / total weighted;
allocation = score x surplus rounded DOWN to cents, and the leftover cents go one each to the
largest fractional remainders, ties broken by member id (ascending UUID string), so that the
allocations sum to the surplus exactly. Arithmetic is exact (fractions), never floats.

Decision on negative patronage: corrections may carry negative values, so a member's weighted
patronage can be zero or negative. Such a member gets 0 and is EXCLUDED from the denominator.
Counting a negative score would hand the others more than 100% of the surplus and charge the
member a share of it, which is a loss allocation, not a patronage refund. If no member has
positive weighted patronage there is nothing to allocate by: NoPatronage.

Losses (rule 9): a negative result is allocated by the same shares; the rounding works on its
absolute amount (largest remainder, ties by member id) and the rows are negated, so a loss of
-X gives exactly the negation of the rows of a surplus of X. Book and tax results may differ:
each is apportioned on its own over the same shares, each exact to the cent.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypeVar

from habitat_ledger.domain.errors import InvalidAllocationInput, NoPatronage
from habitat_ledger.domain.money import CENT, MAX_AMOUNT, ZERO, money

TYPES = ("labor", "capital", "property")
SHARE_PLACES = Decimal("0.0000000001")
WEIGHT_PLACES = Decimal("0.0001")
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Weights:
    """Weight per contribution type; set per proposal and recorded with it."""

    labor: Decimal = Decimal("1.0")
    capital: Decimal = Decimal("0.5")
    property: Decimal = Decimal("0.5")

    def __post_init__(self) -> None:
        for type_ in TYPES:
            weight = Decimal(getattr(self, type_))
            if weight < 0 or weight > 1000 or weight != weight.quantize(WEIGHT_PLACES):
                raise InvalidAllocationInput(f"The {type_} weight must be 0 to 1000 with at most 4 decimals.")

    def of(self, type_: str) -> Decimal:
        return getattr(self, type_)


@dataclass(frozen=True)
class AllocationLine:
    """One member's part: patronage value per type, weighted patronage, share and allocation."""

    member_id: uuid.UUID
    values: Mapping[str, Decimal]
    weighted: Decimal
    share: Decimal
    allocation: Decimal  # of the book result
    tax_allocation: Decimal  # of the tax result


@dataclass(frozen=True)
class AllocationResult:
    """surplus is the book result and tax_surplus the tax result; either is negative for a loss."""

    surplus: Decimal
    weights: Weights
    total_weighted: Decimal
    lines: tuple[AllocationLine, ...]
    tax_surplus: Decimal

    @property
    def allocated_total(self) -> Decimal:
        return sum((line.allocation for line in self.lines), ZERO)

    @property
    def tax_allocated_total(self) -> Decimal:
        return sum((line.tax_allocation for line in self.lines), ZERO)

    def line_of(self, member_id: uuid.UUID) -> AllocationLine | None:
        return next((line for line in self.lines if line.member_id == member_id), None)


def apportion(exact: Mapping[K, Fraction], target: Decimal, tie_key=str) -> dict[K, Decimal]:
    """Round each exact amount down to cents, then give the leftover cents of target one each to
    the largest fractional remainders (ties: ascending tie_key). Amounts must be >= 0 and the
    leftover must fit (0 <= leftover <= number of positive remainders)."""
    # integer arithmetic over one common denominator: the same order as comparing the fractions
    common = math.lcm(*(amount.denominator for amount in exact.values())) if exact else 1
    scaled = {key: amount.numerator * 100 * (common // amount.denominator) for key, amount in exact.items()}
    return apportion_cents(scaled, common, int(target * 100), tie_key)


def apportion_cents(numerators: Mapping[K, int], denominator: int, target_cents: int, tie_key=str) -> dict[K, Decimal]:
    """apportion() of exact amounts given in cents as numerator / denominator, all integers: the
    same result without a Fraction per member (a close apportions tens of thousands)."""
    cents = {key: value // denominator for key, value in numerators.items()}
    remainder = {key: value - cents[key] * denominator for key, value in numerators.items()}
    leftover = target_cents - sum(cents.values())
    by_remainder = sorted(numerators, key=lambda key: (-remainder[key], tie_key(key)))
    for key in by_remainder[:leftover]:
        cents[key] += 1
    return {key: Decimal(value).scaleb(-2) for key, value in cents.items()}


def by_member(contributions: Iterable[tuple[uuid.UUID, str, Decimal]]) -> dict[uuid.UUID, dict[str, Decimal]]:
    """Patronage value per member and type."""
    values: dict[uuid.UUID, dict[str, Decimal]] = {}
    for member_id, type_, value in contributions:
        by_type = values.get(member_id)
        if by_type is None:
            by_type = values[member_id] = {}
        by_type[type_] = by_type.get(type_, ZERO) + Decimal(value)
    return values


def weighted_sum(by_type: Mapping[str, Decimal], weights: Weights) -> Decimal:
    """A member's weighted patronage: the sum of value x weight over their types (exact Decimal)."""
    total = ZERO
    for type_, value in by_type.items():
        if type_ not in TYPES:
            raise InvalidAllocationInput(f"Unknown contribution type {type_!r}.")
        total += value * weights.of(type_)
    return total


MAX_RESULT = MAX_AMOUNT


def surplus_of(value: Decimal, name: str = "surplus") -> Decimal:
    """A period's result to allocate, in cents: a surplus, zero, or a loss (negative)."""
    try:
        surplus = money(value)
    except (ValueError, ArithmeticError, TypeError) as error:
        raise InvalidAllocationInput(f"The {name} is an amount with at most 2 decimals.") from error
    if not surplus.is_finite() or abs(surplus) > MAX_RESULT:
        raise InvalidAllocationInput(f"The {name} must be a finite amount of at most {MAX_RESULT} either way.")
    return surplus


def signed_cents(amount: Decimal) -> int:
    """An amount in cents as an integer (exact: amounts have two places)."""
    return int(amount * 100)


def apportion_signed(numerators: Mapping[K, int], denominator: int, target_cents: int, tie_key=str) -> dict[K, Decimal]:
    """apportion_cents() of a target of either sign: numerators are the unit shares (score x 1 cent
    x denominator); a negative target is apportioned on its absolute amount and negated."""
    magnitude = abs(target_cents)
    shares = apportion_cents({k: magnitude * n for k, n in numerators.items()}, denominator, magnitude, tie_key)
    if target_cents >= 0:
        return shares
    return {key: ZERO - amount for key, amount in shares.items()}  # ZERO - 0.00 is 0.00, never -0.00


def allocate(
    surplus: Decimal,
    weights: Weights,
    contributions: Iterable[tuple[uuid.UUID, str, Decimal]],
    tax_surplus: Decimal | None = None,
) -> AllocationResult:
    """Allocate the book result (surplus) and the tax result (default: the same) over members'
    weighted patronage; contributions are (member, type, value). Either result may be a loss.

    Lines come sorted by member id string, so the result does not depend on input order.
    """
    return allocate_by_member(surplus, weights, by_member(contributions), tax_surplus)


def allocate_by_member(
    surplus: Decimal,
    weights: Weights,
    values: Mapping[uuid.UUID, Mapping[str, Decimal]],
    tax_surplus: Decimal | None = None,
) -> AllocationResult:
    """allocate() of patronage already summed per member and type."""
    surplus = surplus_of(surplus)
    tax_surplus = surplus if tax_surplus is None else surplus_of(tax_surplus, "tax result")
    # UUIDs order by their integer, which is the order of their hex strings; members are numbered in
    # that order so ties (by position) go to the smallest id, and dictionaries hash ints, not UUIDs.
    members = sorted(values.items(), key=lambda item: item[0].int)
    weighted = [weighted_sum(by_type, weights) for _, by_type in members]
    positive = {index: w for index, w in enumerate(weighted) if w > 0}
    total = sum(positive.values(), ZERO)
    if total <= 0:
        raise NoPatronage("No member has positive weighted patronage in this period; nothing to allocate by.")
    # exact in integers: w scaled by 10^places is whole, so each member's cents are S x W / T
    places = max(0, *(-w.as_tuple().exponent for w in positive.values()))
    scaled = {index: int(w.scaleb(places)) for index, w in positive.items()}
    denominator = sum(scaled.values())
    allocations = apportion_signed(scaled, denominator, signed_cents(surplus), tie_key=int)
    tax_allocations = (
        allocations if tax_surplus == surplus
        else apportion_signed(scaled, denominator, signed_cents(tax_surplus), tie_key=int)
    )
    no_share = Decimal(0).quantize(SHARE_PLACES)
    lines = tuple(
        AllocationLine(
            member_id=member,
            values=dict(sorted(by_type.items())),
            weighted=w,
            share=(w / total).quantize(SHARE_PLACES, ROUND_HALF_EVEN) if w > 0 else no_share,
            allocation=allocations.get(index, ZERO),
            tax_allocation=tax_allocations.get(index, ZERO),
        )
        for index, ((member, by_type), w) in enumerate(zip(members, weighted, strict=True))
    )
    return AllocationResult(surplus, weights, total, lines, tax_surplus)


def split_cash(allocations: Mapping[K, Decimal], percent: Decimal, tie_key=str) -> dict[K, Decimal]:
    """Cash part of each allocation: allocation x percent / 100 rounded down to cents, leftover cents
    by largest remainder (ties: ascending tie_key), so the cash total is the total x percent / 100
    rounded (half up) to cents."""
    percent = Decimal(percent)
    if percent < 0 or percent > 100 or percent != percent.quantize(CENT):
        raise InvalidAllocationInput("The cash portion is a percentage from 0 to 100 with at most 2 decimals.")
    hundredths = int(percent * 100)  # cents x percent / 100 = cents x hundredths / 10,000
    numerators = {member: int(amount * 100) * hundredths for member, amount in allocations.items()}
    total = sum(allocations.values(), ZERO)
    target = (total * percent / 100).quantize(CENT, ROUND_HALF_UP)
    return apportion_cents(numerators, 10_000, int(target * 100), tie_key)


def plain(amount: Decimal) -> str:
    """A decimal as people read it: two places when exact at cents, else every digit it has."""
    cents = amount.quantize(CENT)
    return str(cents) if amount == cents else f"{amount.normalize():f}"


def result_words(amount: Decimal) -> str:
    """"a surplus of 1000.00", "a loss of 1000.00" (a loss is named, its amount shown unsigned)."""
    return f"a loss of {-amount}" if amount < 0 else f"a surplus of {amount}"


def explain(line: AllocationLine, result: AllocationResult) -> str:
    """One plain-language sentence on how this member's allocation came about."""
    parts = [f"{t} {plain(v)}" for t, v in line.values.items()]
    terms = " + ".join(f"{plain(v)} × {plain(result.weights.of(t))}" for t, v in line.values.items())
    contributed = ", ".join(parts) if parts else "nothing"
    if line.weighted <= 0:
        return (
            f"You contributed {contributed}, weighted {terms} = {plain(line.weighted)}, which is not above zero, "
            f"so of {result_words(result.surplus)} your share is 0.00{_tax_clause(line, result)}."
        )
    percent = (line.weighted * 100 / result.total_weighted).quantize(CENT, ROUND_HALF_EVEN)
    return (
        f"You contributed {contributed}, weighted {terms} = {plain(line.weighted)} of "
        f"{plain(result.total_weighted)} total weighted patronage ({percent}%), "
        f"so of {result_words(result.surplus)} your share is {line.allocation}{_tax_clause(line, result)}."
    )


def _tax_clause(line: AllocationLine, result: AllocationResult) -> str:
    if result.tax_surplus == result.surplus:
        return ""
    return f"; on the tax basis, of {result_words(result.tax_surplus)} your share is {line.tax_allocation}"
