"""Commands: what callers ask the contributions context to do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class SubmitContribution:
    member_id: uuid.UUID
    type: str
    contributed_on: date
    description: str
    hours: Decimal | None = None
    rate: Decimal | None = None
    amount: Decimal | None = None
    fair_market_value: Decimal | None = None
    adjusted_basis: Decimal | None = None


@dataclass(frozen=True)
class ApproveContribution:
    contribution_id: uuid.UUID
    reviewer_id: uuid.UUID
    note: str | None = None


@dataclass(frozen=True)
class RecordMember:
    """Replicate a member's state as of occurred_at; None fields are unknown (e.g. on deactivation)."""

    member_id: uuid.UUID
    occurred_at: datetime
    email: str | None = None
    display_name: str | None = None
    role: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class RecordPeriod:
    period_id: uuid.UUID
    occurred_at: datetime
    name: str
    starts_on: date
    ends_on: date
    status: str
