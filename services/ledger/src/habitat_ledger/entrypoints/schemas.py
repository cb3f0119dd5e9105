"""Request and response bodies of the ledger's HTTP API; money travels as "500.00"."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from habitat_common.web.inputs import IsoDate, Name, RequestBody
from habitat_common.web.money import MoneyIn
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from habitat_ledger.domain.allocation import plain

Money = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["500.00"]}),
]


class PeriodIn(RequestBody):
    """A period to open; both dates are inclusive."""

    model_config = ConfigDict(extra="forbid")
    name: Name = Field(
        min_length=1, max_length=64, description="Human name, e.g. 2026-Q1", examples=["2026-Q1"]
    )
    starts_on: IsoDate = Field(description="First day, inclusive")
    ends_on: IsoDate = Field(description="Last day, inclusive; not before starts_on")


class PeriodOut(BaseModel):
    """An accounting period."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date
    status: Literal["open", "closing", "closed"]
    created_at: datetime


class PeriodList(BaseModel):
    items: list[PeriodOut]


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
Text = Annotated[
    Decimal,
    PlainSerializer(lambda value: plain(value), return_type=str),
    WithJsonSchema({"type": "string", "examples": ["1.00"]}),
]


class WeightsIO(BaseModel):
    """Weight per contribution type (defaults: labor 1.0, capital 0.5, property 0.5)."""

    labor: Text = Decimal("1.0")
    capital: Text = Decimal("0.5")
    property: Text = Decimal("0.5")


class WeightsIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    labor: DecimalIn = Decimal("1.0")
    capital: DecimalIn = Decimal("0.5")
    property: DecimalIn = Decimal("0.5")


class ByType(BaseModel):
    value: Money
    weight: Text
    weighted: Text


class DraftRow(BaseModel):
    member_id: uuid.UUID
    display_name: str | None
    by_type: dict[str, ByType]
    weighted_patronage: Text
    share: str = Field(description="Ratio with 10 decimal places")
    allocation: Money = Field(description="Share of the book result; negative for a loss")
    tax_allocation: Money = Field(description="Share of the tax result, apportioned on its own")
    explanation: str = Field(description="One plain-language sentence")


class DraftOut(BaseModel):
    """The allocation as it would be today; a member sees the totals and only their own row."""

    period_id: uuid.UUID
    surplus: Money = Field(description="The book result; negative for a loss")
    tax_surplus: Money = Field(description="The tax result (equal to surplus unless given)")
    weights: WeightsIO
    total_weighted: Text
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
    period: PeriodOut
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


class Inputs(BaseModel):
    surplus: Money = Field(description="The book result; negative for a loss")
    tax_surplus: Money = Field(description="The tax result (equal to surplus unless proposed otherwise)")
    weights: WeightsIO
    cash_portion: Text


class AllocationRowOut(BaseModel):
    member_id: uuid.UUID
    display_name: str | None
    weighted_patronage: Text
    share: str
    allocation: Money = Field(description="Share of the book result; credited to book capital (debited for a loss)")
    tax_allocation: Money = Field(description="Share of the tax result; credited to tax capital (debited for a loss)")
    cash_portion_amount: Money = Field(description="Part of the book allocation paid in cash")
    retained_amount: Money = Field(description="Part of the book allocation kept in capital")


class ApprovalOut(BaseModel):
    by: uuid.UUID
    at: datetime


class RejectionOut(ApprovalOut):
    reason: str


class AllocationOut(BaseModel):
    """The immutable calculation record and its governance status."""

    id: uuid.UUID
    period_id: uuid.UUID
    status: Literal["proposed", "approved", "rejected", "posted"]
    inputs: Inputs
    rows: list[AllocationRowOut]
    contribution_count: int
    content_hash: str = Field(
        description="sha256 of the canonical JSON of the contributions behind it (patronage rows up to a sequence"
        " number, grouped by member and type with an id digest), the inputs and the rows"
    )
    proposed_by: uuid.UUID
    proposed_at: datetime
    approvals: list[ApprovalOut]
    approvals_required: int
    rejection: RejectionOut | None
    posted_at: datetime | None


class ReasonIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class AllocationStatementOut(BaseModel):
    member_id: uuid.UUID
    lines: list[str]
    allocation: Money
    tax_allocation: Money
    cash_portion_amount: Money
    retained_amount: Money


class AllocationList(BaseModel):
    items: list[AllocationOut]
