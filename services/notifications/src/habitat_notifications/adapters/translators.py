"""Translate at the edge: consumed contracts → commands."""

from __future__ import annotations

from datetime import UTC

from habitat_common.contracts import (
    AllocationSharePostedV1,
    ContributionApprovedV1,
    ContributionClarificationRequestedV1,
    ContributionRejectedV1,
    ContributionSubmittedV1,
    Envelope,
    InvitationIssuedV1,
    MemberDeactivatedV1,
    NewDeviceSignedInV1,
    PasswordResetRequestedV1,
    PeriodClosedV1,
    PeriodClosingV1,
    PeriodOpenedV1,
)
from habitat_notifications.domain.commands import (
    MailAllocationPosted,
    MailDecision,
    MailLink,
    MailNewDevice,
    RecordContribution,
    RecordMember,
    RecordPeriod,
)
from habitat_notifications.domain.kinds import Kind
from habitat_notifications.domain.replicas import MEMBER_INACTIVE

LINK_KINDS = {InvitationIssuedV1: Kind.INVITATION, PasswordResetRequestedV1: Kind.PASSWORD_RESET}


def record_member(envelope: Envelope) -> RecordMember:
    """Registered / updated carry the whole member; deactivated only says the member is inactive now."""
    payload = envelope.payload
    if isinstance(payload, MemberDeactivatedV1):
        return RecordMember(payload.member_id, envelope.occurred_at, status=MEMBER_INACTIVE)
    return RecordMember(
        member_id=payload.member_id,
        occurred_at=envelope.occurred_at,
        email=payload.email,
        display_name=payload.display_name,
        status=payload.status,
        role=payload.role,
    )


def mail_link(envelope: Envelope) -> MailLink:
    payload: InvitationIssuedV1 | PasswordResetRequestedV1 = envelope.payload
    return MailLink(
        event_id=envelope.event_id,
        kind=LINK_KINDS[type(payload)],
        member_id=payload.member_id,
        email=payload.email,
        display_name=payload.display_name,
        token=payload.token,
        expires_at=payload.expires_at.astimezone(UTC),  # the mail says UTC
    )


def mail_decision(envelope: Envelope) -> MailDecision:
    payload = envelope.payload
    common = {
        "event_id": envelope.event_id,
        "member_id": payload.member_id,
        "contribution_id": payload.contribution_id,
        "occurred_at": envelope.occurred_at,
        "period_id": getattr(payload, "period_id", None),
    }
    if isinstance(payload, ContributionApprovedV1):
        return MailDecision(kind=Kind.CONTRIBUTION_APPROVED, value=payload.value, **common)
    if isinstance(payload, ContributionRejectedV1):
        return MailDecision(kind=Kind.CONTRIBUTION_REJECTED, reason=payload.reason, **common)
    if isinstance(payload, ContributionClarificationRequestedV1):
        return MailDecision(kind=Kind.CLARIFICATION_REQUESTED, question=payload.question, **common)
    raise TypeError(f"not a decision: {type(payload).__name__}")


def mail_allocation_posted(envelope: Envelope) -> MailAllocationPosted:
    payload: AllocationSharePostedV1 = envelope.payload
    return MailAllocationPosted(
        event_id=envelope.event_id,
        allocation_id=payload.allocation_id,
        period_name=payload.period_name,
        member_id=payload.member_id,
        allocation=payload.allocation,
        tax_allocation=payload.tax_allocation,
        cash_portion_amount=payload.cash_portion_amount,
        retained_amount=payload.retained_amount,
        explanation=tuple(payload.explanation),
    )


def record_period(envelope: Envelope) -> RecordPeriod:
    """Opened and closing carry the period's dates; closed only its name."""
    payload: PeriodOpenedV1 | PeriodClosingV1 | PeriodClosedV1 = envelope.payload
    status = {PeriodOpenedV1: "open", PeriodClosingV1: "closing", PeriodClosedV1: "closed"}[type(payload)]
    return RecordPeriod(
        period_id=payload.period_id,
        occurred_at=envelope.occurred_at,
        status=status,
        name=payload.name,
        starts_on=getattr(payload, "starts_on", None),
        ends_on=getattr(payload, "ends_on", None),
    )


def record_submission(envelope: Envelope) -> RecordContribution:
    payload: ContributionSubmittedV1 = envelope.payload
    return RecordContribution(
        contribution_id=payload.contribution_id,
        occurred_at=envelope.occurred_at,
        status="pending",
        member_id=payload.member_id,
        period_id=payload.period_id,
    )


def mail_new_device(envelope: Envelope) -> MailNewDevice:
    payload: NewDeviceSignedInV1 = envelope.payload
    return MailNewDevice(
        event_id=envelope.event_id,
        member_id=payload.member_id,
        email=payload.email,
        display_name=payload.display_name,
        signed_in_at=payload.signed_in_at.astimezone(UTC),  # the mail says UTC
        client=payload.client,
        user_agent=payload.user_agent,
    )
