"""Events published by the ledger context."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field

from habitat_common.contracts.envelope import Contract

PeriodStatus = Literal["open", "closing", "closed"]


class PeriodOpenedV1(Contract):
    """An admin opened an accounting period; contributions dated in it may be submitted."""

    EVENT_TYPE: ClassVar[str] = "ledger.period_opened"
    VERSION: ClassVar[int] = 1
    period_id: uuid.UUID = Field(description="Period id")
    name: str = Field(description="Human name, e.g. 2026-Q1")
    starts_on: date = Field(description="First day of the period, inclusive")
    ends_on: date = Field(description="Last day of the period, inclusive")
    status: PeriodStatus = Field(description="Always open for this event")


class PeriodClosingV1(Contract):
    """An admin started closing a period: intake stops and contributions must seal its totals."""

    EVENT_TYPE: ClassVar[str] = "ledger.period_closing"
    VERSION: ClassVar[int] = 1
    period_id: uuid.UUID = Field(description="Period id")
    name: str = Field(description="Human name, e.g. 2026-Q1")
    starts_on: date = Field(description="First day of the period, inclusive")
    ends_on: date = Field(description="Last day of the period, inclusive")


class PeriodClosedV1(Contract):
    """The period's allocation was posted; the period is locked for good."""

    EVENT_TYPE: ClassVar[str] = "ledger.period_closed"
    VERSION: ClassVar[int] = 1
    period_id: uuid.UUID = Field(description="Period id")
    name: str = Field(description="Human name, e.g. 2026-Q1")


class AllocationProposedV1(Contract):
    """An admin proposed a period's allocation; the immutable calculation record awaits approval."""

    EVENT_TYPE: ClassVar[str] = "ledger.allocation_proposed"
    VERSION: ClassVar[int] = 1
    allocation_id: uuid.UUID = Field(description="Calculation record id")
    period_id: uuid.UUID = Field(description="Period being closed")
    surplus: Decimal = Field(decimal_places=2, description="Allocable surplus")
    cash_portion_percent: Decimal = Field(decimal_places=2, description="Share paid in cash, 0-100")
    content_hash: str = Field(description="SHA-256 of the calculation record's canonical content")
    proposed_by: uuid.UUID = Field(description="Admin who proposed")


class AllocationApprovedV1(Contract):
    """A proposal reached its required number of distinct approvers and may be posted."""

    EVENT_TYPE: ClassVar[str] = "ledger.allocation_approved"
    VERSION: ClassVar[int] = 1
    allocation_id: uuid.UUID = Field(description="Calculation record id")
    period_id: uuid.UUID = Field(description="Period being closed")
    approvers: list[uuid.UUID] = Field(description="Distinct approvers, in order")


class AllocationPostedV1(Contract):
    """The allocation was posted to every member's capital account on both bases."""

    EVENT_TYPE: ClassVar[str] = "ledger.allocation_posted"
    VERSION: ClassVar[int] = 1
    allocation_id: uuid.UUID = Field(description="Calculation record id")
    period_id: uuid.UUID = Field(description="Period now closed")
    surplus: Decimal = Field(decimal_places=2, description="Total allocated; equals the sum of member rows")
    member_count: int = Field(ge=0, description="Members with a non-zero allocation")
    cash_distributions_scheduled: Decimal = Field(decimal_places=2, description="Total cash portion scheduled")


class AllocationSharePostedV1(Contract):
    """One member's row of an allocation that was just posted, with the ledger's plain-language account of it
    (one event per member in the allocation, published with AllocationPostedV1)."""

    EVENT_TYPE: ClassVar[str] = "ledger.allocation_share_posted"
    VERSION: ClassVar[int] = 1
    allocation_id: uuid.UUID = Field(description="Calculation record id")
    period_id: uuid.UUID = Field(description="Period now closed")
    period_name: str = Field(description="The period's name, e.g. 2026-Q4")
    member_id: uuid.UUID = Field(description="The member this row belongs to")
    allocation: Decimal = Field(decimal_places=2, description="Book allocation (negative: a share of a loss)")
    tax_allocation: Decimal = Field(decimal_places=2, description="Tax-basis allocation")
    cash_portion_amount: Decimal = Field(decimal_places=2, description="Part of the allocation scheduled in cash")
    retained_amount: Decimal = Field(decimal_places=2, description="Part that stays in the capital account")
    explanation: list[str] = Field(description="How the share came about, in sentences (as on the statement)")


class DistributionCompletedV1(Contract):
    """A scheduled distribution was paid; capital was debited on both bases."""

    EVENT_TYPE: ClassVar[str] = "ledger.distribution_completed"
    VERSION: ClassVar[int] = 1
    distribution_id: uuid.UUID = Field(description="Distribution id")
    member_id: uuid.UUID = Field(description="Member paid")
    amount: Decimal = Field(decimal_places=2, description="Amount paid")
    method: str = Field(description="Payment method, e.g. ach, check")
    reference: str = Field(description="Payment reference")
    completed_on: date = Field(description="Date paid")
