"""Events published by the ledger context."""

from __future__ import annotations

import uuid
from datetime import date
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
