"""Request and response bodies of the HTTP API (money as decimal strings with two places)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

TypeName = Literal["labor", "capital", "property"]
StatusName = Literal["pending", "approved", "rejected", "clarification_requested"]


def _exact_decimal(raw: object) -> object:
    """Strings and JSON numbers both become Decimal via their text, never through binary float arithmetic."""
    if isinstance(raw, bool):
        raise ValueError('must be a decimal amount such as "12.50"')  # noqa: TRY004 - pydantic wants ValueError
    if isinstance(raw, int | float | str):
        try:
            return Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError('must be a decimal amount such as "12.50"') from None
    return raw


MoneyIn = Annotated[Decimal | None, BeforeValidator(_exact_decimal)]
MoneyOut = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="json")]


class SubmitContributionBody(BaseModel):
    """A new contribution; which amount fields apply depends on its type."""

    model_config = ConfigDict(extra="forbid")
    type: TypeName = Field(description="labor, capital or property")
    contributed_on: date = Field(description="Date the work was done or the asset handed over")
    description: str = Field(description="What was done or contributed (at least 10 meaningful characters)")
    hours: MoneyIn = Field(default=None, description="Labor: hours worked that day, more than 0 and at most 24")
    rate: MoneyIn = Field(default=None, description="Labor: rate per hour (defaults to the co-op's rate)")
    amount: MoneyIn = Field(default=None, description="Capital: cash amount, more than 0")
    fair_market_value: MoneyIn = Field(default=None, description="Property: fair market value, more than 0")
    adjusted_basis: MoneyIn = Field(default=None, description="Property: contributor's adjusted basis, 0 or more")


class ApproveBody(BaseModel):
    """An approval, optionally with a note."""

    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=2000, description="Optional reviewer note")


class ContributionOut(BaseModel):
    """A contribution as the API shows it."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    member_id: uuid.UUID
    period_id: uuid.UUID
    type: TypeName
    contributed_on: date
    description: str
    value: MoneyOut = Field(description="Patronage value")
    book_amount: MoneyOut = Field(description="Capital credit on the book (704(b)) basis")
    tax_amount: MoneyOut = Field(description="Capital credit on the tax basis")
    hours: MoneyOut | None = None
    rate: MoneyOut | None = None
    amount: MoneyOut | None = None
    fair_market_value: MoneyOut | None = None
    adjusted_basis: MoneyOut | None = None
    status: StatusName
    submitted_at: datetime
    decided_at: datetime | None = None
    decided_by: uuid.UUID | None = None
    decision_note: str | None = None


class ContributionList(BaseModel):
    items: list[ContributionOut]


class QueuedContributionOut(ContributionOut):
    """A pending contribution in the review queue."""

    age_hours: float = Field(description="Hours since submission")
    overdue: bool = Field(description="True when pending for more than the 48 h review target")


class ReviewQueue(BaseModel):
    items: list[QueuedContributionOut]
