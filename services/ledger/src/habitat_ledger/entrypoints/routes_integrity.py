"""HTTP route of the ledger's integrity report (admin), for the post-import validation command."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from habitat_common.api.ledger import Money
from pydantic import BaseModel, Field

from habitat_ledger.entrypoints.dependencies import Admin, Uow
from habitat_ledger.service_layer.exports.integrity import check_integrity

router = APIRouter(tags=["integrity"])


class CheckOut(BaseModel):
    name: str
    description: str
    passed: bool
    failures: int = Field(description="Offending rows (for unresolved_exceptions: events kept aside)")
    examples: list[str] = Field(description="Up to 10 offending rows, named by their ids")


class ContributionTotalOut(BaseModel):
    member_id: uuid.UUID
    count: int = Field(description="Approved contributions booked as patronage, all periods and types")
    value: Money = Field(description="Sum of their patronage values")
    book_amount: Money = Field(description="Member capital credited by contribution transactions, book basis")
    tax_amount: Money = Field(description="The same on the tax basis")


class IntegrityOut(BaseModel):
    service: str = "ledger"
    passed: bool
    checks: list[CheckOut]
    contribution_totals: list[ContributionTotalOut]


@router.get("/integrity", response_model=IntegrityOut)
async def integrity(_: Admin, uow: Uow) -> IntegrityOut:
    """Checks over the ledger's raw tables and per-member contribution totals (200 whether or not they pass)."""
    report = await check_integrity(uow)
    return IntegrityOut(
        passed=report.passed,
        checks=[
            CheckOut(name=c.name, description=c.description, passed=c.passed, failures=c.failures, examples=c.examples)
            for c in report.checks
        ],
        contribution_totals=[ContributionTotalOut(**vars(t)) for t in report.contribution_totals],
    )
