"""Request and response bodies of the ledger's HTTP API that are its own; money travels as "500.00".

The public bodies both the ledger and the gateway declare live in habitat_common.api.ledger. These stay: the
period and proposal requests (the gateway's are stricter), the capital account (the gateway's dashboard reads it
loosely), the draft allocation and the pre-close report (the gateway answers them with its own shapes)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated

from habitat_common.api.ledger import AllocationWeights, Money, Period, PlainDecimal
from habitat_common.web.inputs import RequestBody
from habitat_common.web.money import MoneyIn
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema


class CapitalAccountOut(BaseModel):
    """A member's capital account; credit balances are positive."""

    model_config = ConfigDict(from_attributes=True)
    member_id: uuid.UUID
    book_balance: Money = Field(description="Section 704(b) book capital")
    tax_balance: Money = Field(description="Tax-basis capital (K-1 Item L)")
    as_of: date = Field(description="Postings of transactions dated on or before this day")


def _no_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError(  # noqa: TRY004 - pydantic turns ValueError (not TypeError) into a 422
            "money and ratios travel as decimal strings, e.g. \"1000.00\", never as floats"
        )
    return value


DecimalIn = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["1000.00"]}),
]


class WeightsIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    labor: DecimalIn = Decimal("1.0")
    capital: DecimalIn = Decimal("0.5")
    property: DecimalIn = Decimal("0.5")


class ByType(BaseModel):
    value: Money
    weight: PlainDecimal
    weighted: PlainDecimal


class DraftRow(BaseModel):
    member_id: uuid.UUID
    display_name: str | None
    by_type: dict[str, ByType]
    weighted_patronage: PlainDecimal
    share: str = Field(description="Ratio with 10 decimal places")
    allocation: Money = Field(description="Share of the book result; negative for a loss")
    tax_allocation: Money = Field(description="Share of the tax result, apportioned on its own")
    explanation: str = Field(description="One plain-language sentence")


class DraftOut(BaseModel):
    """The allocation as it would be today; a member sees the totals and only their own row."""

    period_id: uuid.UUID
    surplus: Money = Field(description="The book result; negative for a loss")
    tax_surplus: Money = Field(description="The tax result (equal to surplus unless given)")
    weights: AllocationWeights
    total_weighted: PlainDecimal
    rows: list[DraftRow]
    allocated_total: Money
    tax_allocated_total: Money


class Difference(BaseModel):
    member_id: uuid.UUID
    ledger_count: int
    ledger_value: Money
    sealed_count: int
    sealed_value: Money


class Sealed(BaseModel):
    received: bool
    matches: bool | None = Field(description="null until contributions sealed the period")
    differences: list[Difference]
    pending_count: int | None = Field(description="Contributions still undecided when sealed")


class PreCloseOut(BaseModel):
    period: Period
    members_with_patronage: int
    approved_count: int
    approved_value_by_type: dict[str, Money]
    sealed: Sealed
    unapplied_events: int = Field(description="Events kept but not applied (see GET /exceptions)")


class AllocationIn(RequestBody):
    """A proposal: the period's book result (a surplus, or a loss when negative), optionally a tax
    result that differs, weights and the cash portion in percent (0 for a loss)."""

    model_config = ConfigDict(extra="forbid")
    surplus: MoneyIn = Field(
        description="Book (704(b)) result to allocate, e.g. \"12000.00\"; negative for a loss, e.g. \"-1000.00\""
    )
    tax_surplus: MoneyIn | None = Field(
        default=None,
        description="Tax-basis result, allocated on its own by the same shares; negative for a loss. Default: surplus",
    )
    weights: WeightsIn = Field(default_factory=WeightsIn)
    cash_portion: DecimalIn = Field(
        default=Decimal(0),
        description="Percent of each book allocation paid in cash, \"0\" to \"100\"; must be 0 for a loss",
    )
