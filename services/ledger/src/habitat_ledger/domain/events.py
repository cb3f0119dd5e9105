"""Domain events, collected by the unit of work and translated to contracts at the edge."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class PeriodOpened:
    period_id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class PeriodClosing:
    period_id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class PeriodClosed:
    period_id: uuid.UUID
    name: str


@dataclass(frozen=True)
class AllocationProposed:
    allocation_id: uuid.UUID
    period_id: uuid.UUID
    surplus: Decimal
    cash_portion: Decimal
    content_hash: str
    proposed_by: uuid.UUID


@dataclass(frozen=True)
class AllocationApproved:
    allocation_id: uuid.UUID
    period_id: uuid.UUID
    approvers: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class AllocationPosted:
    allocation_id: uuid.UUID
    period_id: uuid.UUID
    surplus: Decimal
    member_count: int
    cash_scheduled: Decimal


@dataclass(frozen=True)
class AllocationSharePosted:
    """A member's row of a posted allocation, with its plain-language account (the member's share mail)."""

    allocation_id: uuid.UUID
    period_id: uuid.UUID
    period_name: str
    member_id: uuid.UUID
    allocation: Decimal
    tax_allocation: Decimal
    cash_portion_amount: Decimal
    retained_amount: Decimal
    explanation: tuple[str, ...]


@dataclass(frozen=True)
class DistributionCompleted:
    distribution_id: uuid.UUID
    member_id: uuid.UUID
    amount: Decimal
    method: str
    reference: str
    completed_on: date
