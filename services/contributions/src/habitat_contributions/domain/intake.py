"""Turning a submission into a valued, pending contribution."""

from __future__ import annotations

import uuid
from datetime import datetime

from habitat_contributions.domain.commands import SubmitContribution
from habitat_contributions.domain.description import clean_description
from habitat_contributions.domain.errors import InvalidContribution
from habitat_contributions.domain.model import Contribution, ContributionType
from habitat_contributions.domain.valuation import RateCard, value_capital, value_labor, value_property

FIELDS_BY_TYPE = {
    ContributionType.LABOR: ("hours", "rate"),
    ContributionType.CAPITAL: ("amount",),
    ContributionType.PROPERTY: ("fair_market_value", "adjusted_basis"),
}
REQUIRED_BY_TYPE = {
    ContributionType.LABOR: ("hours",),
    ContributionType.CAPITAL: ("amount",),
    ContributionType.PROPERTY: ("fair_market_value", "adjusted_basis"),
}
MONEY_FIELDS = ("hours", "rate", "amount", "fair_market_value", "adjusted_basis")


def contribution_type(raw: str) -> ContributionType:
    try:
        return ContributionType(raw)
    except ValueError:
        raise InvalidContribution("type must be labor, capital or property.", code="invalid_type") from None


def new_contribution(cmd: SubmitContribution, *, period_id: uuid.UUID, card: RateCard, now: datetime) -> Contribution:
    """A pending contribution with its value and capital credits computed by the rules of its type."""
    kind = contribution_type(cmd.type)
    _check_fields(cmd, kind)
    description = clean_description(cmd.description)
    extra: dict = {}
    if kind is ContributionType.LABOR:
        hours, rate, valuation = value_labor(cmd.hours, cmd.rate, card)
        extra = {"hours": hours, "rate": rate}
    elif kind is ContributionType.CAPITAL:
        valuation = value_capital(cmd.amount)
        extra = {"amount": valuation.value}
    else:
        valuation = value_property(cmd.fair_market_value, cmd.adjusted_basis)
        extra = {"fair_market_value": valuation.book_amount, "adjusted_basis": valuation.tax_amount}
    return Contribution(
        id=uuid.uuid4(),
        member_id=cmd.member_id,
        period_id=period_id,
        type=kind,
        contributed_on=cmd.contributed_on,
        description=description,
        valuation=valuation,
        submitted_at=now,
        **extra,
    )


def _check_fields(cmd: SubmitContribution, kind: ContributionType) -> None:
    for name in REQUIRED_BY_TYPE[kind]:
        if getattr(cmd, name) is None:
            raise InvalidContribution(f"{name} is required for a {kind} contribution.", code="missing_field")
    allowed = FIELDS_BY_TYPE[kind]
    for name in MONEY_FIELDS:
        if name not in allowed and getattr(cmd, name) is not None:
            raise InvalidContribution(f"{name} does not apply to a {kind} contribution.", code="unexpected_field")
