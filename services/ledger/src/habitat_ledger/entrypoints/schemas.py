"""Request and response bodies of the ledger's HTTP API; money travels as "500.00"."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

Money = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["500.00"]}),
]


class PeriodIn(BaseModel):
    """A period to open; both dates are inclusive."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(
        min_length=1, max_length=64, description="Human name, e.g. 2026-Q1", examples=["2026-Q1"]
    )
    starts_on: date = Field(description="First day, inclusive")
    ends_on: date = Field(description="Last day, inclusive; not before starts_on")


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
