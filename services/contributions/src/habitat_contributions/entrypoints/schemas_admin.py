"""Bodies of the admin endpoints that are the service's own: the integrity report (the gateway answers every
service's checks together). The import report is defined once in habitat_common.api.contributions."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from habitat_contributions.entrypoints.schemas import MoneyOut


class IntegrityCheckOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    name: str
    description: str
    passed: bool
    failures: int
    examples: list[str] = Field(description="Up to 10 offending rows")


class ApprovedTotalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    member_id: uuid.UUID
    count: int
    value: MoneyOut
    book_amount: MoneyOut
    tax_amount: MoneyOut


class IntegrityOut(BaseModel):
    service: str = "contributions"
    checks: list[IntegrityCheckOut]
    approved_totals: list[ApprovedTotalOut] = Field(description="Approved contributions per member")
