"""Builders shared by unit and integration tests (no shared mutable fixtures)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from habitat_contributions.domain.commands import RecordPeriod, SubmitContribution
from habitat_contributions.domain.replicas import PeriodReplica

Q1_START, Q1_END = date(2026, 1, 1), date(2026, 3, 31)
IN_Q1 = date(2026, 2, 10)
T0 = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)
DESCRIPTION = "Repaired the greenhouse irrigation lines"


def open_period(
    period_id: uuid.UUID | None = None, *, starts_on: date = Q1_START, ends_on: date = Q1_END, status: str = "open"
) -> PeriodReplica:
    return PeriodReplica(
        period_id=period_id or uuid.uuid4(),
        name="2026-Q1",
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        updated_at=T0,
    )


def record_period(period_id: uuid.UUID | None = None, **overrides) -> RecordPeriod:
    values = {
        "period_id": period_id or uuid.uuid4(),
        "occurred_at": T0,
        "name": "2026-Q1",
        "starts_on": Q1_START,
        "ends_on": Q1_END,
        "status": "open",
    }
    return RecordPeriod(**{**values, **overrides})


def labor(
    member_id: uuid.UUID | None = None, hours: str = "8", rate: str | None = None, **overrides
) -> SubmitContribution:
    values = {
        "member_id": member_id or uuid.uuid4(),
        "type": "labor",
        "contributed_on": IN_Q1,
        "description": DESCRIPTION,
        "hours": Decimal(hours),
        "rate": Decimal(rate) if rate is not None else None,
    }
    return SubmitContribution(**{**values, **overrides})


def capital(member_id: uuid.UUID | None = None, amount: str = "500.00", **overrides) -> SubmitContribution:
    values = {
        "member_id": member_id or uuid.uuid4(),
        "type": "capital",
        "contributed_on": IN_Q1,
        "description": "Cash capital contribution for the new roof",
        "amount": Decimal(amount),
    }
    return SubmitContribution(**{**values, **overrides})


def property_(
    member_id: uuid.UUID | None = None, fmv: str = "1200.00", basis: str = "800.00", **overrides
) -> SubmitContribution:
    values = {
        "member_id": member_id or uuid.uuid4(),
        "type": "property",
        "contributed_on": IN_Q1,
        "description": "Donated a used table saw to the workshop",
        "fair_market_value": Decimal(fmv),
        "adjusted_basis": Decimal(basis),
    }
    return SubmitContribution(**{**values, **overrides})
