"""Domain events, internal to the contributions context (translated to contracts at the edge)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class ContributionSubmitted:
    contribution_id: uuid.UUID
    member_id: uuid.UUID
    period_id: uuid.UUID
    type: str
    contributed_on: date
    value: Decimal


@dataclass(frozen=True)
class ContributionCorrected:
    contribution_id: uuid.UUID
    corrects_contribution_id: uuid.UUID
    member_id: uuid.UUID
    period_id: uuid.UUID
    value: Decimal


@dataclass(frozen=True)
class ContributionApproved:
    contribution_id: uuid.UUID
    member_id: uuid.UUID
    period_id: uuid.UUID
    type: str
    contributed_on: date
    value: Decimal
    book_amount: Decimal
    tax_amount: Decimal
    approved_by: uuid.UUID
    approved_at: datetime
    corrects_contribution_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ContributionRejected:
    contribution_id: uuid.UUID
    member_id: uuid.UUID
    period_id: uuid.UUID
    rejected_by: uuid.UUID
    reason: str
    rejected_at: datetime


@dataclass(frozen=True)
class ClarificationRequested:
    contribution_id: uuid.UUID
    member_id: uuid.UUID
    requested_by: uuid.UUID
    question: str
    requested_at: datetime


@dataclass(frozen=True)
class MemberTotal:
    member_id: uuid.UUID
    approved_count: int
    approved_value: Decimal


@dataclass(frozen=True)
class PeriodSealed:
    period_id: uuid.UUID
    members: tuple[MemberTotal, ...]
    total_count: int
    total_value: Decimal
    pending_count: int
