"""Public bodies of the CSV imports of opening balances and historical contributions, and of validation."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from pydantic import Field

from habitat_gateway.schemas import Out
from habitat_gateway.schemas_ledger import MoneyMove


class CapitalAccountsImportSummary(Out):
    rows: int = Field(description="Data lines in the file")
    created: int = Field(description="Members whose opening balance is new")
    updated: int = Field(description="Members whose earlier opening balance was reversed and replaced")
    unchanged: int = Field(description="Members whose opening balance was already exactly this")
    book_total: Decimal = Field(description="Sum of book balances in the file")
    tax_total: Decimal = Field(description="Sum of tax balances in the file")


class CapitalAccountsImportReport(Out):
    dry_run: bool
    import_id: uuid.UUID | None = Field(default=None, description="The import run; null on a dry run")
    summary: CapitalAccountsImportSummary
    sample: list[dict[str, Any]] = Field(description="Up to 10 rows as they would be / were booked")
    money_move: MoneyMove | None = Field(
        default=None,
        description="A file that changes balances waits for a second admin (202; GET/POST /money-moves/{id}):"
        " the money move (import_opening_balances); executed at once in a single-admin co-op",
    )


class ContributionsImportSummary(Out):
    rows: int = Field(description="Data lines in the file")
    created: int = Field(description="Contributions written by this run")
    unchanged: int = Field(description="Contributions already imported with the same values")
    by_status: dict[str, int] = Field(default_factory=dict, description="Rows per status")
    by_type: dict[str, int] = Field(default_factory=dict, description="Rows per contribution type")
    approved_value: Decimal = Field(description="Patronage value of the approved rows")


class ContributionsImportReport(Out):
    dry_run: bool
    import_id: uuid.UUID | None = Field(default=None, description="The import run; null on a dry run")
    summary: ContributionsImportSummary
    sample: list[dict[str, Any]] = Field(description="Up to 10 contributions as they would be / were written")


class IntegrityCheck(Out):
    service: str = Field(description="identity, contributions, ledger, or cross-service")
    name: str
    description: str
    passed: bool
    failures: int = Field(description="Offending records (0 when passed)")
    examples: list[str] = Field(default_factory=list, description="A few offenders by id")


class IntegrityReport(Out):
    passed: bool = Field(description="Every check passed")
    checks: list[IntegrityCheck]
