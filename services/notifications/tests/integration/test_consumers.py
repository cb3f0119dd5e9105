import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from habitat_common.contracts import (
    ContributionClarificationRequestedV1,
    ContributionRejectedV1,
    Envelope,
    InvitationIssuedV1,
    MemberDeactivatedV1,
    MemberUpdatedV1,
    NewDeviceSignedInV1,
)
from habitat_notifications.domain.errors import MemberUnknown
from habitat_notifications.service_layer import preferences
from tests.integration.db import (
    SURPLUS,
    deliver,
    handlers_by_event,
    registered,
    rejected,
    reset_requested,
    rows,
    send_all,
    share,
)


class TestMailOnce:
    async def test_an_event_delivered_twice_mails_once(self, container, mailbox):
        member_id = await registered(container)
        envelope = rejected(member_id)
        assert await deliver(container, envelope) is True
        assert await deliver(container, envelope) is False
        await send_all(container)
        await send_all(container)
        [mail] = mailbox.received
        assert "Receipt missing" in mail.get_body(("plain",)).get_content()
        assert len(await rows(container)) == 1

    async def test_the_idempotency_key_holds_even_past_the_inbox(self, container):
        # a replayed dead letter, or a pruned inbox row: the (event, recipient, kind) key still says no
        member_id = await registered(container)
        envelope = rejected(member_id)
        await deliver(container, envelope)
        async with container.engine.begin() as conn:
            await conn.execute(text("TRUNCATE notifications.inbox"))
        assert await deliver(container, envelope) is True
        assert len(await rows(container)) == 1


class TestPreferences:
    async def test_preferences_suppress_a_decision_mail_but_never_a_reset_mail(self, container, mailbox):
        member_id = await registered(container, email="quiet@example.coop")
        await preferences.set_preferences(
            member_id, decisions=False, reminders=False, uow=container.uow(), clock=container.clock
        )
        await deliver(container, rejected(member_id))
        await deliver(container, reset_requested(member_id, email="quiet@example.coop"))
        await send_all(container)
        [mail] = mailbox.to("quiet@example.coop")
        assert mail["X-Habitat-Kind"] == "password_reset"
        assert "https://coop.example/reset-password?token=reset-token-123" in mail.get_body(("plain",)).get_content()
        assert "List-Unsubscribe" not in mail


class TestWhatIsSent:
    async def test_an_invitation_needs_no_replica(self, container, mailbox):
        payload = InvitationIssuedV1(
            member_id=uuid.uuid4(),
            email="new@example.coop",
            display_name="Newcomer",
            token="inv-1",
            expires_at=datetime(2026, 12, 8, tzinfo=UTC),
        )
        await deliver(container, Envelope.wrap(payload, producer="identity"))
        await send_all(container)
        [mail] = mailbox.to("new@example.coop")
        assert "https://coop.example/accept-invitation?token=inv-1" in mail.get_body(("html",)).get_content()
        assert mail["Subject"] == "Welcome to Acorn Co-op: choose your password"

    async def test_a_new_device_sign_in_is_told_even_to_a_member_who_turned_everything_off(
        self, container, mailbox
    ):
        member_id = await registered(container, email="careful@example.coop")
        await preferences.set_preferences(
            member_id, decisions=False, reminders=False, uow=container.uow(), clock=container.clock
        )
        payload = NewDeviceSignedInV1(
            member_id=member_id, email="careful@example.coop", display_name="Careful",
            signed_in_at=datetime(2026, 12, 4, 9, 30, tzinfo=UTC), client="203.0.113.9", user_agent="curl/8.5",
        )
        envelope = Envelope.wrap(payload, producer="identity")
        await deliver(container, envelope)
        await deliver(container, envelope)
        await send_all(container)
        [mail] = mailbox.to("careful@example.coop")
        text_body = mail.get_body(("plain",)).get_content()
        assert mail["X-Habitat-Kind"] == "new_device" and "List-Unsubscribe" not in mail
        assert "2026-12-04 09:30 UTC" in text_body and "203.0.113.9" in text_body and "curl/8.5" in text_body

    async def test_a_clarification_carries_the_question_and_a_link(self, container, mailbox):
        member_id = await registered(container, email="asked@example.coop")
        payload = ContributionClarificationRequestedV1(
            contribution_id=uuid.uuid4(),
            member_id=member_id,
            requested_by=uuid.uuid4(),
            question="Which <day>?",
            requested_at=datetime.now(UTC),
        )
        await deliver(container, Envelope.wrap(payload, producer="contributions"))
        await send_all(container)
        [mail] = mailbox.to("asked@example.coop")
        assert "Which &lt;day&gt;?" in mail.get_body(("html",)).get_content()
        assert (
            f"https://coop.example/contributions/{payload.contribution_id}" in mail.get_body(("plain",)).get_content()
        )
        assert mail["List-Unsubscribe"] == "<https://coop.example/profile/mail>"

    async def test_each_active_member_hears_their_own_share_and_the_deactivated_none(self, container, mailbox):
        active = [await registered(container) for _ in range(3)]
        gone = await registered(container)
        await deliver(container, Envelope.wrap(MemberDeactivatedV1(member_id=gone), producer="identity"))
        allocation_id = uuid.uuid4()
        for n, member_id in enumerate([*active, gone]):
            await deliver(container, Envelope.wrap(share(allocation_id, member_id, SURPLUS / (n + 2)), producer="ledger"))
        await send_all(container)
        assert sorted(r.recipient_id for r in await rows(container)) == sorted(active)
        texts = sorted(mail.get_body(("plain",)).get_content().replace("\r\n", "\n") for mail in mailbox.received)
        assert len(texts) == 3 and all("Why:\n- For period 2026-Q4" in t for t in texts)
        assert sorted(t.split("Your share: ")[1].split(".")[0] for t in texts) == ["3000", "4000", "6000"]

    async def test_a_decision_for_a_member_not_yet_replicated_is_retried_later(self, container):
        envelope = rejected(uuid.uuid4())
        with pytest.raises(MemberUnknown):
            await deliver(container, envelope)
        assert await rows(container) == []
        # the claim rolled back with the failure: the retry is not taken for a duplicate
        async with container.uow() as uow:
            assert await uow.claim_event("notifications.contribution_rejected", envelope.event_id)


def announced(member_id: uuid.UUID, name: str, *, contract=MemberUpdatedV1) -> Envelope:
    payload = contract(
        member_id=member_id, email=f"{member_id.hex[:8]}@example.coop", display_name=name, role="member",
        status="active", joined_at=date(2026, 1, 1),
    )
    return Envelope.wrap(payload, producer="identity")


class TestBatches:
    """The worker applies each queue's deliveries in batches (one transaction): the same outcomes as one by one."""

    async def test_a_batch_of_decisions_queues_each_mail_once_and_skips_what_it_saw(self, container, mailbox):
        members = [await registered(container) for _ in range(3)]
        envelopes = [rejected(member_id) for member_id in members]
        handle = handlers_by_event(container)[ContributionRejectedV1]
        assert await handle([envelopes[0]]) == [True]
        assert await handle([envelopes[0], envelopes[1], envelopes[2], envelopes[1]]) == [False, True, True, False]
        assert sorted(r.recipient_id for r in await rows(container)) == sorted(members)
        await send_all(container)
        assert len(mailbox.received) == 3

    async def test_two_updates_of_one_new_member_in_one_batch_keep_the_latest(self, container):
        member_id = uuid.uuid4()
        first, second = announced(member_id, "Ada"), announced(member_id, "Ada Lovelace")
        handle = handlers_by_event(container)[MemberUpdatedV1]
        assert await handle([first, second]) == [True, True]
        async with container.engine.connect() as conn:
            names = (await conn.execute(
                text("SELECT display_name FROM notifications.member_replica WHERE member_id = :id"), {"id": member_id}
            )).scalars().all()
        assert names == ["Ada Lovelace"]

    async def test_a_batch_with_a_decision_for_an_unknown_member_fails_whole_and_commits_nothing(self, container):
        known = await registered(container)
        handle = handlers_by_event(container)[ContributionRejectedV1]
        with pytest.raises(MemberUnknown):
            await handle([rejected(known), rejected(uuid.uuid4())])
        assert await rows(container) == []
