"""Consumer use cases that write mail: the domain decides who gets what, the composer renders it, the
messages table takes it (each (event, recipient, kind) once). Sending is the sender loop's job."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from habitat_notifications.domain import mailing
from habitat_notifications.domain.commands import (
    MailAllocationPosted,
    MailDecision,
    MailLink,
    MailNewDevice,
    RecordContribution,
)
from habitat_notifications.domain.kinds import Kind
from habitat_notifications.domain.links import Links
from habitat_notifications.domain.mailing import MailPlan
from habitat_notifications.domain.messages import Message
from habitat_notifications.service_layer import replicas
from habitat_notifications.service_layer.ports import Clock, Composer, UnitOfWork

DECIDED_STATUS = {
    Kind.CONTRIBUTION_APPROVED: "approved",
    Kind.CONTRIBUTION_REJECTED: "rejected",
    Kind.CLARIFICATION_REQUESTED: "clarification_requested",
}


@dataclass(frozen=True)
class Mailroom:
    """What writing mail needs besides the transaction: links, templates and the time."""

    links: Links
    composer: Composer
    clock: Clock

    def draft(self, plan: MailPlan) -> Message:
        """The plan rendered as a queued message, due now."""
        draft = self.composer.compose(plan)
        now = self.clock()
        return Message(
            id=uuid.uuid4(),
            kind=str(plan.kind),
            recipient_id=plan.recipient_id,
            recipient_email=plan.email,
            subject=draft.subject,
            text_body=draft.text,
            html_body=draft.html,
            unsubscribe_url=draft.unsubscribe_url,
            source_event_id=plan.source_event_id,
            created_at=now,
            next_attempt_at=now,
        )


async def _write(plans: list[MailPlan], uow: UnitOfWork, mailroom: Mailroom) -> list[Message]:
    return await uow.messages.add_new([mailroom.draft(plan) for plan in plans])


async def mail_link(cmd: MailLink, uow: UnitOfWork, mailroom: Mailroom) -> list[Message]:
    """Queue the invitation or password-reset mail (security mail: never suppressed)."""
    return await _write(mailing.plan_link(cmd, mailroom.links), uow, mailroom)


async def mail_new_device(cmd: MailNewDevice, uow: UnitOfWork, mailroom: Mailroom) -> list[Message]:
    """Queue the "new sign-in to your account" notice (security mail: never suppressed)."""
    return await _write(mailing.plan_new_device(cmd, mailroom.links), uow, mailroom)


async def mail_decision(cmd: MailDecision, uow: UnitOfWork, mailroom: Mailroom) -> list[Message]:
    """Note the decision in the contribution replica and queue the decision mail for the contributing member,
    if their preferences allow it."""
    if cmd.occurred_at is not None:
        status = DECIDED_STATUS[cmd.kind]
        facts = RecordContribution(cmd.contribution_id, cmd.occurred_at, status, cmd.member_id, cmd.period_id)
        await replicas.record_contribution(facts, uow)
    member = await uow.members.get(cmd.member_id)
    preferences = await uow.preferences.get(cmd.member_id)
    return await _write(mailing.plan_decision(cmd, member, preferences, mailroom.links), uow, mailroom)


async def mail_allocation_posted(cmd: MailAllocationPosted, uow: UnitOfWork, mailroom: Mailroom) -> list[Message]:
    """Queue the member's "your share of the allocation" mail, if their preferences allow it."""
    member = await uow.members.get(cmd.member_id)
    preferences = await uow.preferences.get(cmd.member_id)
    return await _write(mailing.plan_allocation_posted(cmd, member, preferences, mailroom.links), uow, mailroom)
