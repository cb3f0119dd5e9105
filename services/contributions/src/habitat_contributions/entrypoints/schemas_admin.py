"""Bodies of the admin endpoints: historical contributions import and the integrity report."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from habitat_contributions.entrypoints.schemas import MoneyOut, StatusName, TypeName


class ImportSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    rows: int = Field(description="Data rows in the file")
    created: int = Field(description="Contributions written (or that a dry run would write)")
    unchanged: int = Field(description="Rows imported before with the same values: left as they are")
    by_status: dict[str, int] = Field(description="Rows of the file per status")
    by_type: dict[str, int] = Field(description="Rows of the file per type")
    approved_value: MoneyOut = Field(description="Patronage value of the file's approved rows")


class ImportedRowOut(BaseModel):
    """A contribution as the import writes it."""

    line: int = Field(description="Line of the file where the row starts")
    reference: str
    id: uuid.UUID = Field(description="Contribution id: uuid5 of the reference, the same on every run")
    member_id: uuid.UUID
    member_email: str
    period_id: uuid.UUID
    period: str
    type: TypeName
    contributed_on: date
    description: str
    hours: MoneyOut | None = None
    rate: MoneyOut | None = None
    amount: MoneyOut | None = None
    fair_market_value: MoneyOut | None = None
    adjusted_basis: MoneyOut | None = None
    value: MoneyOut
    book_amount: MoneyOut
    tax_amount: MoneyOut
    status: StatusName
    decided_by: uuid.UUID | None = None
    approver_email: str | None = None
    decided_at: datetime | None = None
    corrects_contribution_id: uuid.UUID | None = None
    corrects_reference: str | None = None


class ImportResultOut(BaseModel):
    dry_run: bool
    import_id: uuid.UUID | None = Field(description="The import run; null when nothing was written")
    summary: ImportSummaryOut
    sample: list[ImportedRowOut] = Field(description="Up to 10 of the rows written (or that would be)")


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
