"""Who gets which mail for an event, and whether their preferences allow it: pure decisions, no I/O."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from habitat_notifications.domain.commands import MailAllocationPosted, MailDecision, MailLink, MailNewDevice
from habitat_notifications.domain.errors import MemberUnknown
from habitat_notifications.domain.kinds import Kind
from habitat_notifications.domain.links import Links
from habitat_notifications.domain.preferences import Preferences, defaults
from habitat_notifications.domain.replicas import MemberReplica


@dataclass(frozen=True)
class MailPlan:
    """One mail to write: its kind, recipient, the event it answers and the facts its template shows."""

    kind: Kind
    recipient_id: uuid.UUID
    email: str
    display_name: str
    source_event_id: uuid.UUID
    facts: Mapping[str, Any] = field(default_factory=dict)


def plan_link(cmd: MailLink, links: Links) -> list[MailPlan]:
    """Invitation and password reset are security mail: always sent, to the address the event names
    (the member may not be in our replica yet, and preferences never suppress them)."""
    link = links.accept_invitation(cmd.token) if cmd.kind is Kind.INVITATION else links.reset_password(cmd.token)
    facts = {"link": link, "expires_at": cmd.expires_at}
    return [MailPlan(cmd.kind, cmd.member_id, cmd.email, cmd.display_name, cmd.event_id, facts)]


def plan_new_device(cmd: MailNewDevice, links: Links) -> list[MailPlan]:
    """A sign-in from a new device is security mail: always sent, to the address identity names, with what
    the member needs to recognise it and the way out if it was not them (reset the password)."""
    facts = {
        "signed_in_at": cmd.signed_in_at,
        "client": cmd.client,
        "user_agent": cmd.user_agent or "not given",
        "link": links.forgot_password(),
    }
    return [MailPlan(Kind.NEW_DEVICE, cmd.member_id, cmd.email, cmd.display_name, cmd.event_id, facts)]


def plan_decision(
    cmd: MailDecision, member: MemberReplica | None, preferences: Preferences | None, links: Links
) -> list[MailPlan]:
    """The contributing member hears about the decision unless they turned decision mail off or were
    deactivated. A member we have not heard of yet raises MemberUnknown: identity's event is on its way."""
    if member is None:
        raise MemberUnknown(f"member {cmd.member_id} is not in the replica yet")
    if not member.reachable or not (preferences or defaults(member.member_id)).allows(cmd.kind.category):
        return []
    facts = {
        "link": links.contribution(cmd.contribution_id),
        "reason": cmd.reason,
        "question": cmd.question,
        "value": cmd.value,
    }
    return [_plan(cmd.kind, member, cmd.event_id, facts)]


def plan_allocation_posted(
    cmd: MailAllocationPosted, member: MemberReplica | None, preferences: Preferences | None, links: Links
) -> list[MailPlan]:
    """The member hears their share, the ledger's account of it and where their statement is, unless they turned
    decision mail off or were deactivated. A member we have not heard of yet raises MemberUnknown."""
    if member is None:
        raise MemberUnknown(f"member {cmd.member_id} is not in the replica yet")
    if not member.reachable or not (preferences or defaults(member.member_id)).allows(Kind.ALLOCATION_POSTED.category):
        return []
    facts = {
        "link": links.allocation(cmd.allocation_id),
        "period_name": cmd.period_name,
        "allocation": cmd.allocation,
        "tax_allocation": cmd.tax_allocation,
        "cash_portion_amount": cmd.cash_portion_amount,
        "retained_amount": cmd.retained_amount,
        "explanation": cmd.explanation,
    }
    return [_plan(Kind.ALLOCATION_POSTED, member, cmd.event_id, facts)]


def _plan(kind: Kind, member: MemberReplica, event_id: uuid.UUID, facts: Mapping[str, Any]) -> MailPlan:
    name = member.display_name or member.email or ""
    return MailPlan(kind, member.member_id, member.email or "", name, event_id, facts)
