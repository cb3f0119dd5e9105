"""The ledger API's bodies: periods, proposed allocations, statements, distributions, the journal and K-1 issues
(money moves waiting for a second admin, and the import of opening balances, are in api.ledger_money_moves).
Money travels as "500.00"."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from habitat_common.web.inputs import IsoDate, Name, RequestBody
from habitat_common.web.money import CENT, MoneyIn

Money = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["500.00"]}),
]
"""An amount the ledger answers with: always two places."""


def plain_decimal(amount: Decimal) -> str:
    """A decimal as people read it: two places when exact at cents, else every digit it has."""
    cents = amount.quantize(CENT)
    return str(cents) if amount == cents else f"{amount.normalize():f}"


PlainDecimal = Annotated[
    Decimal,
    PlainSerializer(plain_decimal, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["1.00"]}),
]
"""A weight, a weighted patronage or a percent: two places when exact at cents, else every digit."""

SourceType = Literal["contribution", "allocation", "distribution", "opening_balance", "reversal"]
PaymentMethod = Literal["ach", "check", "cash", "other"]
DistributionStatus = Literal["scheduled", "completed", "cancelled"]


class Answer(BaseModel):
    """A response body, built from the ledger's records."""

    model_config = ConfigDict(from_attributes=True)


class Request(RequestBody):
    """A request body: unknown fields are refused, like every body of the public API."""

    model_config = ConfigDict(extra="forbid")


class ReasonRequest(Request):
    reason: str = Field(min_length=1, max_length=2000)


# periods


class CreatePeriodRequest(Request):
    """A period to open; both dates are inclusive."""

    name: Name = Field(
        min_length=1, max_length=64, description="Human name, e.g. 2026-Q1", examples=["2026-Q1"]
    )
    starts_on: IsoDate = Field(description="First day, inclusive")
    ends_on: IsoDate = Field(description="Last day, inclusive; not before starts_on")


class Period(Answer):
    id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date
    status: Literal["open", "closing", "closed"]
    created_at: datetime


class PeriodList(Answer):
    items: list[Period]


# proposed allocations


class AllocationWeights(Answer):
    """Weight per contribution type (defaults: labor 1.0, capital 0.5, property 0.5)."""

    labor: PlainDecimal = Decimal("1.0")
    capital: PlainDecimal = Decimal("0.5")
    property: PlainDecimal = Decimal("0.5")


class AllocationInputs(Answer):
    surplus: Money = Field(description="The book result; negative for a loss")
    tax_surplus: Money = Field(description="The tax result (equal to surplus unless proposed otherwise)")
    weights: AllocationWeights
    cash_portion: PlainDecimal


class AllocationRow(Answer):
    member_id: uuid.UUID
    display_name: str | None
    weighted_patronage: PlainDecimal
    share: str
    allocation: Money = Field(description="Share of the book result, credited to book capital (negative for a loss)")
    tax_allocation: Money = Field(
        description="Share of the tax result, credited to tax capital (negative for a loss)"
    )
    cash_portion_amount: Money = Field(description="Part of the book allocation paid in cash")
    retained_amount: Money = Field(description="Part of the book allocation kept in capital")


class AllocationApproval(Answer):
    by: uuid.UUID
    at: datetime


class AllocationRejection(AllocationApproval):
    reason: str


class Allocation(Answer):
    """The immutable calculation record and its governance status."""

    id: uuid.UUID
    period_id: uuid.UUID
    status: Literal["proposed", "approved", "rejected", "posted"]
    inputs: AllocationInputs
    rows: list[AllocationRow]
    contribution_count: int
    content_hash: str = Field(
        description="sha256 of the canonical JSON of the contributions behind it (patronage rows up to a sequence"
        " number, grouped by member and type with an id digest), the inputs and the rows"
    )
    proposed_by: uuid.UUID
    proposed_at: datetime
    approvals: list[AllocationApproval]
    approvals_required: int
    rejection: AllocationRejection | None
    posted_at: datetime | None


class AllocationList(Answer):
    items: list[Allocation]


class AllocationStatement(Answer):
    member_id: uuid.UUID
    lines: list[str] = Field(description="The math in plain language")
    allocation: Money
    tax_allocation: Money
    cash_portion_amount: Money
    retained_amount: Money


# capital statements


class StatementLine(Answer):
    date: date
    transaction_id: uuid.UUID
    source_type: SourceType
    source_id: uuid.UUID = Field(description="The contribution, allocation, distribution or reversed transaction")
    description: str
    book_amount: Money
    tax_amount: Money
    book_balance: Money
    tax_balance: Money


class Statement(Answer):
    """Every transaction on a member's capital up to as_of, credit-positive, with running balances."""

    member_id: uuid.UUID
    display_name: str | None
    as_of: date
    lines: list[StatementLine]
    book_balance: Money
    tax_balance: Money


# distributions


class ScheduleDistributionRequest(Request):
    member_id: uuid.UUID
    amount: MoneyIn = Field(description="More than 0, as text, e.g. \"250.00\" (the ledger refuses 0 or less)")
    method: PaymentMethod
    scheduled_on: IsoDate


class CompleteDistributionRequest(Request):
    """How a scheduled distribution was paid."""

    reference: str = Field(min_length=1, max_length=200, description="Payment reference (ACH trace, check number)")
    paid_on: IsoDate | None = Field(default=None, description="Default: today in the co-op's time zone")
    override_reason: str | None = Field(
        default=None, min_length=1, max_length=2000,
        description="Required to pay more than the member's capital (recorded)",
    )
    method: PaymentMethod | None = Field(default=None, description="How it was paid; default: as scheduled")


class Distribution(Answer):
    id: uuid.UUID
    member_id: uuid.UUID
    amount: Money
    method: str
    scheduled_on: date
    status: DistributionStatus
    allocation_id: uuid.UUID | None
    created_by: uuid.UUID
    created_at: datetime
    reference: str | None
    paid_on: date | None
    completed_by: uuid.UUID | None
    completed_at: datetime | None
    override_reason: str | None
    cancelled_by: uuid.UUID | None
    cancelled_at: datetime | None
    cancel_reason: str | None


class DistributionList(Answer):
    items: list[Distribution]


# the journal


class ReverseRequest(Request):
    reason: str = Field(min_length=1, max_length=2000)
    occurred_on: IsoDate | None = Field(default=None, description="Reversal date; default: today in the co-op's time zone")


class Posting(Answer):
    account_id: uuid.UUID
    basis: Literal["book", "tax"]
    amount: Money = Field(description="Debit positive, credit negative")


class Transaction(Answer):
    id: uuid.UUID
    source_type: SourceType
    source_id: uuid.UUID
    reverses_id: uuid.UUID | None
    member_id: uuid.UUID | None
    occurred_on: date
    description: str
    recorded_at: datetime
    recorded_by: uuid.UUID | None
    postings: list[Posting]


class LedgerException(Answer):
    """An approved contribution the ledger keeps but could not book yet."""

    id: uuid.UUID
    kind: str
    key: uuid.UUID = Field(description="The contribution id")
    period_id: uuid.UUID
    reason: Literal["unknown_period", "period_closed"]
    recorded_at: datetime
    payload: dict[str, Any]


class LedgerExceptionList(Answer):
    items: list[LedgerException] = Field(description="Approved contributions the ledger could not book yet, and why")


# exports


class K1IssuedEnding(Answer):
    member_id: uuid.UUID
    tax_ending: Money = Field(description="Ending capital, tax basis (Item L): next year's beginning")
    book_ending: Money = Field(description="Ending capital, book (704(b)) basis")
    section_704c_gain_ending: Money = Field(description="Built-in gain of contributed property (FMV - basis) at year end")


class K1Issue(Answer):
    """A tax year whose K-1s were issued: each member's endings are kept (next year's beginning) and the
    year is locked like a closed period."""

    year: int
    issued_at: datetime
    issued_by: uuid.UUID
    members: int = Field(description="How many members' K-1s were issued")
    endings: list[K1IssuedEnding]
