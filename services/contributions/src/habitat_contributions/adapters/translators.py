"""Translate at the edge: domain events → published contracts, consumed contracts → commands."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from functools import singledispatch

from habitat_common.contracts import (
    Contract,
    ContributionApprovedV1,
    ContributionClarificationRequestedV1,
    ContributionCorrectedV1,
    ContributionRejectedV1,
    ContributionSubmittedV1,
    Envelope,
    MemberDeactivatedV1,
    MemberRegisteredV1,
    MemberUpdatedV1,
    PeriodClosedV1,
    PeriodClosingV1,
    PeriodOpenedV1,
    PeriodSealedV1,
    SealedMemberTotal,
)
from habitat_contributions.domain import events
from habitat_contributions.domain.commands import MarkPeriodClosed, RecordMember, RecordPeriod
from habitat_contributions.domain.replicas import PERIOD_CLOSING


@singledispatch
def to_contracts(event: object) -> Iterable[Contract]:
    """The contracts published for a domain event (none for internal-only events)."""
    return ()


@to_contracts.register
def _(event: events.ContributionSubmitted) -> Iterable[Contract]:
    return (ContributionSubmittedV1(**asdict(event)),)


@to_contracts.register
def _(event: events.ContributionApproved) -> Iterable[Contract]:
    return (ContributionApprovedV1(**asdict(event)),)


@to_contracts.register
def _(event: events.ContributionCorrected) -> Iterable[Contract]:
    return (ContributionCorrectedV1(**asdict(event)),)


@to_contracts.register
def _(event: events.ContributionRejected) -> Iterable[Contract]:
    return (ContributionRejectedV1(**asdict(event)),)


@to_contracts.register
def _(event: events.ClarificationRequested) -> Iterable[Contract]:
    return (ContributionClarificationRequestedV1(**asdict(event)),)


@to_contracts.register
def _(event: events.PeriodSealed) -> Iterable[Contract]:
    members = [SealedMemberTotal(**asdict(m)) for m in event.members]
    return (
        PeriodSealedV1(
            period_id=event.period_id,
            members=members,
            total_count=event.total_count,
            total_value=event.total_value,
            pending_count=event.pending_count,
        ),
    )


def record_member(envelope: Envelope) -> RecordMember:
    """A member registered / updated / deactivated event as a replica command stamped with occurred_at."""
    payload = envelope.payload
    if isinstance(payload, MemberDeactivatedV1):
        return RecordMember(member_id=payload.member_id, occurred_at=envelope.occurred_at, status="inactive")
    assert isinstance(payload, MemberRegisteredV1 | MemberUpdatedV1)
    return RecordMember(
        member_id=payload.member_id,
        occurred_at=envelope.occurred_at,
        email=payload.email,
        display_name=payload.display_name,
        role=payload.role,
        status=payload.status,
        joined_at=payload.joined_at,
    )


def record_period(envelope: Envelope[PeriodOpenedV1 | PeriodClosingV1]) -> RecordPeriod:
    """Period opened (its status) or closing (status closing) as a replica command."""
    payload = envelope.payload
    return RecordPeriod(
        period_id=payload.period_id,
        occurred_at=envelope.occurred_at,
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        status=payload.status if isinstance(payload, PeriodOpenedV1) else PERIOD_CLOSING,
    )


def mark_period_closed(envelope: Envelope[PeriodClosedV1]) -> MarkPeriodClosed:
    return MarkPeriodClosed(period_id=envelope.payload.period_id, occurred_at=envelope.occurred_at)
