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
