"""A worked allocation example for the guides, computed by the real allocation code (public, no data read).

The inputs are fixed and illustrative (three made-up members, default weights, a surplus of 10,000.00, 20%
paid in cash); the rows, the cash split and each member's sentence come from the domain, so the guide's
example changes whenever the rules do and can never drift from them.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from fastapi import APIRouter
from habitat_common.api.ledger import AllocationWeights, Money, PlainDecimal
from pydantic import BaseModel, Field

from habitat_ledger.domain.close.allocation import Weights, allocate, explain, split_cash

router = APIRouter(tags=["guides"])
SURPLUS = Decimal("10000.00")
CASH_PERCENT = Decimal(20)
# (name, fixed id, contributions as (type, value, what it was)); ids order the members and break ties
MEMBERS = (
    ("Ana", uuid.UUID(int=1), (("labor", Decimal("3000.00"), "30 hours at 100.00"),)),
    ("Ben", uuid.UUID(int=2), (
        ("labor", Decimal("1200.00"), "12 hours at 100.00"),
        ("capital", Decimal("2500.00"), "cash paid in"),
    )),
    ("Cleo", uuid.UUID(int=3), (
        ("labor", Decimal("500.00"), "5 hours at 100.00"),
        ("property", Decimal("4000.00"), "a used truck at fair market value"),
    )),
)


class ExampleContributionOut(BaseModel):
    type: str = Field(description="labor, capital or property")
    value: Money = Field(description="Patronage value (labor: hours x rate; property: fair market value)")
    note: str = Field(description="What the contribution was")


class ExampleRowOut(BaseModel):
    name: str = Field(description="The illustrative member's name")
    contributions: list[ExampleContributionOut]
    weighted_patronage: PlainDecimal
    share: str = Field(description="Score: weighted patronage / total weighted patronage")
    allocation: Money = Field(description="Share of the surplus, to the cent")
    cash: Money = Field(description="Part of the allocation paid in cash")
    retained: Money = Field(description="Part of the allocation credited to capital")
    explanation: str = Field(description="The sentence the member's statement shows for this allocation")


class AllocationExampleOut(BaseModel):
    """A worked allocation: fixed inputs, and rows computed by the ledger's allocation code."""

    surplus: Money
    cash_portion: PlainDecimal = Field(description="Percent of each allocation paid in cash")
    weights: AllocationWeights
    total_weighted_patronage: PlainDecimal
    rows: list[ExampleRowOut]


def worked_example() -> AllocationExampleOut:
    """Allocate SURPLUS over MEMBERS with the default weights and split CASH_PERCENT off in cash."""
    weights = Weights()
    result = allocate(SURPLUS, weights, [(mid, t, v) for _, mid, items in MEMBERS for t, v, _ in items])
    cash = split_cash({line.member_id: line.allocation for line in result.lines}, CASH_PERCENT)
    rows = []
    for name, member_id, items in MEMBERS:
        line = result.line_of(member_id)
        rows.append(ExampleRowOut(
            name=name,
            contributions=[ExampleContributionOut(type=t, value=v, note=note) for t, v, note in items],
            weighted_patronage=line.weighted, share=f"{line.share}", allocation=line.allocation,
            cash=cash[member_id], retained=line.allocation - cash[member_id], explanation=explain(line, result),
        ))
    return AllocationExampleOut(
        surplus=result.surplus, cash_portion=CASH_PERCENT, weights=AllocationWeights(**vars(weights)),
        total_weighted_patronage=result.total_weighted, rows=rows,
    )


@router.get("/allocations/example", response_model=AllocationExampleOut)
async def allocation_example() -> AllocationExampleOut:
    """The guides' worked example, computed now by the allocation code; public (illustrative data only)."""
    return worked_example()
