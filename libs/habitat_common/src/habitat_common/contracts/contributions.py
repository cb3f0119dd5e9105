"""Events published by the contributions context."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field

from habitat_common.contracts.envelope import Contract

ContributionType = Literal["labor", "capital", "property"]


class ContributionSubmittedV1(Contract):
    """A member submitted a contribution for review."""

    EVENT_TYPE: ClassVar[str] = "contributions.contribution_submitted"
    VERSION: ClassVar[int] = 1
    contribution_id: uuid.UUID = Field(description="Contribution id")
    member_id: uuid.UUID = Field(description="Submitting member")
    period_id: uuid.UUID = Field(description="Open period containing the contribution date")
    type: ContributionType = Field(description="labor, capital or property")
    contributed_on: date = Field(description="Date the contribution was made")
    value: Decimal = Field(decimal_places=2, description="Patronage value in currency units")


class ContributionApprovedV1(Contract):
    """A contribution was approved; everything the ledger needs to book it and weigh patronage."""

    EVENT_TYPE: ClassVar[str] = "contributions.contribution_approved"
    VERSION: ClassVar[int] = 1
    contribution_id: uuid.UUID = Field(description="Contribution id")
    member_id: uuid.UUID = Field(description="Contributing member")
    period_id: uuid.UUID = Field(description="Period the contribution belongs to")
    type: ContributionType = Field(description="labor, capital or property")
    contributed_on: date = Field(description="Date the contribution was made")
    value: Decimal = Field(
        decimal_places=2, description="Patronage value: hours x rate, cash amount or fair market value"
    )
    book_amount: Decimal = Field(
        decimal_places=2, description="Capital credit on book basis (0 for labor; FMV for property)"
    )
    tax_amount: Decimal = Field(
        decimal_places=2, description="Capital credit on tax basis (0 for labor; adjusted basis for property)"
    )
    approved_by: uuid.UUID = Field(description="Reviewer whose approval made it count")
    approved_at: datetime = Field(description="When the approval counted")
