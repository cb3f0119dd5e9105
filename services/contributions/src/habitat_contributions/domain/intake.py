"""Turning a submission (or an edit of one) into a valued contribution."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from habitat_contributions.domain.commands import SubmitContribution
from habitat_contributions.domain.description import clean_description
from habitat_contributions.domain.errors import InvalidContribution
from habitat_contributions.domain.model import Contribution
from habitat_contributions.domain.review_policy import DEFAULT_POLICY, ReviewPolicy
from habitat_contributions.domain.statuses import ContributionType
from habitat_contributions.domain.valuation import (
    RateCard,
    Valuation,
    sign_problems,
    value_capital,
    value_labor,
    value_property,
)

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


def new_contribution(
    cmd: SubmitContribution,
    *,
    period_id: uuid.UUID,
    card: RateCard,
    now: datetime,
    policy: ReviewPolicy = DEFAULT_POLICY,
    contribution_id: uuid.UUID | None = None,
) -> Contribution:
    """A pending contribution with its value and capital credits computed by the rules of its type."""
    kind = contribution_type(cmd.type)
    amounts, valuation = valued(kind, cmd, card, correction=cmd.corrects_contribution_id is not None)
    return Contribution(
        id=contribution_id or uuid.uuid4(),
        member_id=cmd.member_id,
        period_id=period_id,
        type=kind,
        contributed_on=cmd.contributed_on,
        description=clean_description(cmd.description),
        valuation=valuation,
        submitted_at=now,
        approvals_required=policy.approvals_required(valuation.value),
        corrects_contribution_id=cmd.corrects_contribution_id,
        **amounts,
    )


def edited(contribution: Contribution, changes: dict) -> SubmitContribution:
    """The contribution's current fields with the changes applied, as a submission to re-validate."""
    current = SubmitContribution(
        member_id=contribution.member_id,
        type=str(contribution.type),
        contributed_on=contribution.contributed_on,
        description=contribution.description,
        corrects_contribution_id=contribution.corrects_contribution_id,
        **{name: getattr(contribution, name) for name in MONEY_FIELDS},
    )
    return replace(current, **changes)


def valued(
    kind: ContributionType, cmd: SubmitContribution, card: RateCard, *, correction: bool
) -> tuple[dict, Valuation]:
    """The stored amount fields and the valuation, by the rules of the type."""
    _check_fields(cmd, kind)
    if kind is ContributionType.LABOR:
        hours, rate, valuation = value_labor(cmd.hours, cmd.rate, card, correction=correction)
        return {"hours": hours, "rate": rate}, valuation
    if kind is ContributionType.CAPITAL:
        valuation = value_capital(cmd.amount, correction=correction)
        return {"amount": valuation.value}, valuation
    valuation = value_property(cmd.fair_market_value, cmd.adjusted_basis, correction=correction)
    return {"fair_market_value": valuation.book_amount, "adjusted_basis": valuation.tax_amount}, valuation


def _check_fields(cmd: SubmitContribution, kind: ContributionType) -> None:
    amounts = {name: getattr(cmd, name) for name in MONEY_FIELDS}
    for _, code, message in field_problems(kind, amounts, required=REQUIRED_BY_TYPE):
        raise InvalidContribution(message, code=code)


def field_problems(
    kind: str, amounts: dict[str, Decimal | None], *, required: dict[ContributionType, tuple[str, ...]]
) -> Iterator[tuple[str, str, str]]:
    """(field, code, message) for each amount the type requires and lacks, then each it does not use.

    Live intake requires REQUIRED_BY_TYPE (labor's rate defaults to the rate card), an import FIELDS_BY_TYPE."""
    for name in required[kind]:
        if amounts[name] is None:
            yield name, "missing_field", f"{name} is required for a {kind} contribution."
    allowed = FIELDS_BY_TYPE[kind]
    for name in MONEY_FIELDS:
        if name not in allowed and amounts[name] is not None:
            yield name, "unexpected_field", f"{name} does not apply to a {kind} contribution."


def amount_problems(
    kind: str, amounts: dict[str, Decimal | None], *, correction: bool, required: dict
) -> Iterator[tuple[str, str, str]]:
    """field_problems, then valuation.sign_problems of the amounts the type uses."""
    yield from field_problems(kind, amounts, required=required)
    used = {name: amounts[name] for name in FIELDS_BY_TYPE[kind]}
    yield from sign_problems(kind, used, correction=correction)
