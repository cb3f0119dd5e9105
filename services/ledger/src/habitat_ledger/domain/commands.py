"""Commands: what a caller asks the ledger to do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
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
