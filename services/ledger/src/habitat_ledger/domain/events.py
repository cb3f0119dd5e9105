"""Domain events, collected by the unit of work and translated to contracts at the edge."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class PeriodOpened:
    period_id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date
