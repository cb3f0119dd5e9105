"""Translate at the edge: domain events → published contracts, consumed contracts → commands."""

from __future__ import annotations

from habitat_common.contracts import ContributionApprovedV1, PeriodOpenedV1
from habitat_common.contracts.envelope import Contract

from habitat_ledger.domain.commands import BookContribution
from habitat_ledger.domain.events import PeriodOpened


def to_contracts(event: object) -> list[Contract]:
    """The integration events a domain event is published as."""
    if isinstance(event, PeriodOpened):
        return [
            PeriodOpenedV1(
                period_id=event.period_id,
                name=event.name,
                starts_on=event.starts_on,
                ends_on=event.ends_on,
                status="open",
            )
        ]
    raise TypeError(f"no contract for domain event {type(event).__name__}")


def to_book_contribution(contract: ContributionApprovedV1) -> BookContribution:
    return BookContribution(
        contribution_id=contract.contribution_id,
        member_id=contract.member_id,
        period_id=contract.period_id,
        type=contract.type,
        contributed_on=contract.contributed_on,
        value=contract.value,
        book_amount=contract.book_amount,
        tax_amount=contract.tax_amount,
    )
