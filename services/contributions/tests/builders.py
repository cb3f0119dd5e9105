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


def resolved_row(line: int = 2, **overrides):
    """An import row as the database resolves it: an approved capital contribution of 5 by a@b.coop in 2026-Q1,
    decided by the steward s@b.coop (IMPORT_NAMES), nothing imported before, correcting nothing."""
    from habitat_contributions.domain.import_rows import ResolvedRow

    values = {
        "line": line,
        "reference": f"C-{line}",
        "member_email": "a@b.coop",
        "period": "2026-Q1",
        "type": "capital",
        "contributed_on": IN_Q1,
        "hours": None,
        "rate": None,
        "amount": Decimal(5),
        "fair_market_value": None,
        "adjusted_basis": None,
        "status": "approved",
        "approver_email": "s@b.coop",
        "decided_at": T0,
        "corrects_reference": None,
    }
    return ResolvedRow(**{**values, **overrides})


def import_names(*, joined_at: date | None = None, period_status: str = "open"):
    """Members a@b.coop (member), s@b.coop (steward), x@b.coop (two members) and period 2026-Q1."""
    from habitat_contributions.domain.import_rows import Member, Names, Period

    members = {
        "a@b.coop": Member(1, MEMBER, "member", joined_at),
        "s@b.coop": Member(1, STEWARD, "steward", None),
        "x@b.coop": Member(2, uuid.uuid4(), "member", None),
    }
    return Names(members, {"2026-Q1": Period(1, PERIOD, Q1_START, Q1_END, period_status)})


MEMBER, STEWARD, PERIOD = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
