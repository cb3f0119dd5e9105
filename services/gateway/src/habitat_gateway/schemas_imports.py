"""Public bodies of the CSV imports of opening balances and historical contributions, and of validation.

The imports answer with the services' own reports (habitat_common.api.ledger and .contributions)."""

from __future__ import annotations

from habitat_common.api.contributions import ContributionsImportReport, ContributionsImportSummary
from habitat_common.api.ledger_money_moves import CapitalAccountsImportReport, CapitalAccountsImportSummary
from pydantic import Field

from habitat_gateway.schemas import Out

__all__ = [
    "CapitalAccountsImportReport", "CapitalAccountsImportSummary", "ContributionsImportReport",
    "ContributionsImportSummary", "IntegrityCheck", "IntegrityReport",
]


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
