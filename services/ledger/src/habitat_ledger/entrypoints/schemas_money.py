"""Bodies of statements, distributions, the journal and exceptions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from habitat_common.web.inputs import IsoDate, RequestBody
from habitat_common.web.money import MoneyIn
from pydantic import BaseModel, ConfigDict, Field

from habitat_ledger.entrypoints.schemas import Money

SourceType = Literal["contribution", "allocation", "distribution", "opening_balance", "reversal"]


class StatementLineOut(BaseModel):
    date: date
    transaction_id: uuid.UUID
    source_type: SourceType
    source_id: uuid.UUID = Field(description="The contribution, allocation, distribution or reversed transaction")
    description: str
    book_amount: Money
    tax_amount: Money
    book_balance: Money
    tax_balance: Money


class StatementOut(BaseModel):
    """Every transaction on a member's capital up to as_of, credit-positive, with running balances."""

    member_id: uuid.UUID
    display_name: str | None
    as_of: date
    lines: list[StatementLineOut]
    book_balance: Money
    tax_balance: Money


class DistributionIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    member_id: uuid.UUID
    amount: MoneyIn = Field(description='Amount to pay, more than 0, as a decimal string such as "250.00"')
    method: Literal["ach", "check", "cash", "other"]
    scheduled_on: IsoDate


class CompleteIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    reference: str = Field(min_length=1, max_length=200, description="Payment reference (ACH trace, check no.)")
    paid_on: IsoDate | None = Field(default=None, description="Defaults to today in the co-op's time zone")
    override_reason: str | None = Field(default=None, max_length=2000, description="Needed to overdraw capital")
    method: Literal["ach", "check", "cash", "other"] | None = Field(default=None, description="How it was paid")


class DistributionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    member_id: uuid.UUID
    amount: Money
    method: str
    scheduled_on: date
    status: Literal["scheduled", "completed", "cancelled"]
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


class DistributionList(BaseModel):
    items: list[DistributionOut]


class ReverseIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)
    occurred_on: IsoDate | None = Field(default=None, description="Reversal date; default: today in the co-op's time zone")


class PostingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    account_id: uuid.UUID
    basis: Literal["book", "tax"]
    amount: Money = Field(description="Debit positive, credit negative")


class TransactionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    source_type: SourceType
    source_id: uuid.UUID
    reverses_id: uuid.UUID | None
    member_id: uuid.UUID | None
    occurred_on: date
    description: str
    recorded_at: datetime
    recorded_by: uuid.UUID | None
    postings: list[PostingOut]


class ExceptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: str
    key: uuid.UUID = Field(description="The contribution id")
    period_id: uuid.UUID
    reason: Literal["unknown_period", "period_closed"]
    recorded_at: datetime
    payload: dict[str, Any]


class ExceptionList(BaseModel):
    items: list[ExceptionOut]
