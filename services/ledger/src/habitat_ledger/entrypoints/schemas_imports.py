"""Response bodies of imports; money travels as "500.00"."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from habitat_ledger.entrypoints.schemas import Money
from habitat_ledger.entrypoints.schemas_money_moves import MoneyMoveOut


class SummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    rows: int = Field(description="Data rows in the file")
    created: int = Field(description="Members given a first opening balance")
    updated: int = Field(description="Members whose opening balance was replaced (reversed and booked anew)")
    unchanged: int = Field(description="Rows restating the opening balance in force")
    book_total: Money = Field(description="Sum of book_balance over the file")
    tax_total: Money = Field(description="Sum of tax_balance over the file")


class PlannedRowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    line: int
    member_email: str
    member_id: uuid.UUID
    book_balance: Money
    tax_balance: Money
    as_of: date
    note: str | None
    action: Literal["created", "updated", "unchanged"]


class CapitalImportOut(BaseModel):
    """What the import did, or on a dry run would do; import_id is null when nothing was written (yet)."""

    dry_run: bool
    import_id: uuid.UUID | None
    summary: SummaryOut
    sample: list[PlannedRowOut] = Field(description="The first 10 rows of the file")
    money_move: MoneyMoveOut | None = Field(
        default=None, description="The request a second admin approves (status requested), or executed at once"
    )
