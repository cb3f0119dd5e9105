"""Translate at the edge: domain events → published contracts, consumed contracts → commands."""

from __future__ import annotations

from datetime import datetime
from functools import singledispatch

from habitat_common.contracts import (
    AllocationApprovedV1,
    AllocationPostedV1,
    AllocationProposedV1,
    AllocationSharePostedV1,
    ContributionApprovedV1,
    ContributionsImportedV1,
    DistributionCompletedV1,
    MemberRegisteredV1,
    MemberUpdatedV1,
    PeriodClosedV1,
    PeriodClosingV1,
    PeriodOpenedV1,
    PeriodSealedV1,
)
from habitat_common.contracts.envelope import Contract

from habitat_ledger.domain import events
from habitat_ledger.domain.commands import BookContribution, RecordSeal, ReplicateMember


@singledispatch
def to_contracts(event: object) -> list[Contract]:
    """The integration events a domain event is published as."""
    raise TypeError(f"no contract for domain event {type(event).__name__}")


@to_contracts.register
def _(event: events.PeriodOpened) -> list[Contract]:
    return [PeriodOpenedV1(period_id=event.period_id, name=event.name, starts_on=event.starts_on,
                           ends_on=event.ends_on, status="open")]


@to_contracts.register
def _(event: events.PeriodClosing) -> list[Contract]:
    return [PeriodClosingV1(period_id=event.period_id, name=event.name, starts_on=event.starts_on,
                            ends_on=event.ends_on)]


@to_contracts.register
def _(event: events.PeriodClosed) -> list[Contract]:
    return [PeriodClosedV1(period_id=event.period_id, name=event.name)]


@to_contracts.register
def _(event: events.AllocationProposed) -> list[Contract]:
    return [AllocationProposedV1(allocation_id=event.allocation_id, period_id=event.period_id, surplus=event.surplus,
                                 cash_portion_percent=event.cash_portion, content_hash=event.content_hash,
                                 proposed_by=event.proposed_by)]


@to_contracts.register
def _(event: events.AllocationApproved) -> list[Contract]:
    return [AllocationApprovedV1(allocation_id=event.allocation_id, period_id=event.period_id,
                                 approvers=list(event.approvers))]


@to_contracts.register
def _(event: events.AllocationPosted) -> list[Contract]:
    return [AllocationPostedV1(allocation_id=event.allocation_id, period_id=event.period_id, surplus=event.surplus,
                               member_count=event.member_count, cash_distributions_scheduled=event.cash_scheduled)]


@to_contracts.register
def _(event: events.AllocationSharePosted) -> list[Contract]:
    return [AllocationSharePostedV1(
        allocation_id=event.allocation_id, period_id=event.period_id, period_name=event.period_name,
        member_id=event.member_id, allocation=event.allocation, tax_allocation=event.tax_allocation,
        cash_portion_amount=event.cash_portion_amount, retained_amount=event.retained_amount,
        explanation=list(event.explanation),
    )]


@to_contracts.register
def _(event: events.DistributionCompleted) -> list[Contract]:
    return [DistributionCompletedV1(distribution_id=event.distribution_id, member_id=event.member_id,
                                    amount=event.amount, method=event.method, reference=event.reference,
                                    completed_on=event.completed_on)]


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
        corrects_contribution_id=contract.corrects_contribution_id,
    )


def to_book_contributions(contract: ContributionsImportedV1) -> list[BookContribution]:
    """An import's batch as the commands book_contribution would get, one per approved row."""
    return [
        BookContribution(
            contribution_id=row.contribution_id,
            member_id=row.member_id,
            period_id=row.period_id,
            type=row.type,
            contributed_on=row.contributed_on,
            value=row.value,
            book_amount=row.book_amount,
            tax_amount=row.tax_amount,
        )
        for row in contract.contributions
    ]


def to_record_seal(contract: PeriodSealedV1) -> RecordSeal:
    return RecordSeal(
        period_id=contract.period_id,
        members={m.member_id: (m.approved_count, m.approved_value) for m in contract.members},
        total_count=contract.total_count,
        total_value=contract.total_value,
        pending_count=contract.pending_count,
    )


def to_replicate_member(contract: MemberRegisteredV1 | MemberUpdatedV1, occurred_at: datetime) -> ReplicateMember:
    return ReplicateMember(contract.member_id, contract.email, contract.display_name, contract.status, occurred_at)
