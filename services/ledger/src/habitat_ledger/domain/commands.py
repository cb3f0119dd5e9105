"""Commands: what a caller asks the ledger to do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class OpenPeriod:
    name: str
    starts_on: date
    ends_on: date
    requested_by: uuid.UUID


@dataclass(frozen=True)
class BookContribution:
    """An approved contribution, as the ledger needs it (amounts in currency units)."""

    contribution_id: uuid.UUID
    member_id: uuid.UUID
    period_id: uuid.UUID
    type: str
    contributed_on: date
    value: Decimal
    book_amount: Decimal
    tax_amount: Decimal
    corrects_contribution_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ProposeAllocation:
    period_id: uuid.UUID
    surplus: Decimal  # the book result; negative for a loss
    weights: dict[str, Decimal]
    cash_portion: Decimal
    requested_by: uuid.UUID
    tax_surplus: Decimal | None = None  # the tax result; None: equal to the book result


@dataclass(frozen=True)
class ScheduleDistribution:
    member_id: uuid.UUID
    amount: Decimal
    method: str
    scheduled_on: date
    requested_by: uuid.UUID


@dataclass(frozen=True)
class CompleteDistribution:
    distribution_id: uuid.UUID
    reference: str
    paid_on: date | None
    override_reason: str | None
    requested_by: uuid.UUID


@dataclass(frozen=True)
class RecordSeal:
    """Contributions' sealed totals of a closing period: member → (count, value)."""

    period_id: uuid.UUID
    members: dict[uuid.UUID, tuple[int, Decimal]]
    total_count: int
    total_value: Decimal
    pending_count: int


@dataclass(frozen=True)
class ReplicateMember:
    member_id: uuid.UUID
    email: str
    display_name: str
    status: str
    occurred_at: datetime
