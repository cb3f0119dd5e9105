import uuid
from datetime import timedelta

import pytest

from habitat_notifications.domain.backoff import RetryPolicy
from habitat_notifications.domain.errors import MemberUnknown, NotResendable
from habitat_notifications.domain.kinds import Kind
from habitat_notifications.domain.links import Links
from habitat_notifications.domain.mailing import plan_allocation_posted, plan_decision, plan_link
from habitat_notifications.domain.messages import REDACTED, RETRIED, Delivery, Status, idempotency_key
from habitat_notifications.domain.preferences import Category, Preferences
from tests.builders import T0, allocation_posted, decision, link, member, message

LINKS = Links("https://coop.example/")
POLICY = RetryPolicy(max_attempts=3, base=timedelta(seconds=30), maximum=timedelta(minutes=5), jitter=0.2)


class TestPreferences:
    def test_security_mail_cannot_be_turned_off(self):
        prefs = Preferences(member_id=uuid.uuid4(), decisions=False, reminders=False)
        assert prefs.allows(Category.SECURITY)
        assert not prefs.allows(Category.DECISIONS) and not prefs.allows(Category.REMINDERS)

    def test_every_category_is_on_by_default(self):
        prefs = Preferences(member_id=uuid.uuid4())
        assert all(prefs.allows(c) for c in Category)

    def test_kinds_fall_in_their_categories(self):
        assert Kind.PASSWORD_RESET.essential and Kind.INVITATION.essential
        assert not Kind.CONTRIBUTION_REJECTED.essential
        assert Kind.ALLOCATION_POSTED.category is Category.DECISIONS


class TestRecipients:
    def test_a_reset_goes_to_the_address_in_the_event_with_the_token_link(self):
        [plan] = plan_link(link(token="a b&c"), LINKS)
        assert plan.email == "ada@example.coop"
        assert plan.facts["link"] == "https://coop.example/reset-password?token=a+b%26c"

    def test_an_invitation_links_to_accepting_it(self):
        [plan] = plan_link(link(Kind.INVITATION, token="t1"), LINKS)
        assert plan.kind is Kind.INVITATION
        assert plan.facts["link"] == "https://coop.example/accept-invitation?token=t1"

    def test_a_decision_goes_to_the_contributing_member(self):
        ada = member()
        cmd = decision(ada.member_id)
        [plan] = plan_decision(cmd, ada, None, LINKS)
        assert (plan.recipient_id, plan.email, plan.facts["reason"]) == (ada.member_id, ada.email, "Receipt missing")
        assert plan.facts["link"] == f"https://coop.example/contributions/{cmd.contribution_id}"

    def test_a_member_who_turned_decisions_off_gets_no_decision_mail(self):
        ada = member()
        prefs = Preferences(member_id=ada.member_id, decisions=False)
        assert plan_decision(decision(ada.member_id), ada, prefs, LINKS) == []

    def test_a_deactivated_member_gets_no_decision_mail(self):
        ada = member(status="inactive")
        assert plan_decision(decision(ada.member_id), ada, None, LINKS) == []

    def test_an_unknown_member_is_retried_later(self):
        with pytest.raises(MemberUnknown):
            plan_decision(decision(uuid.uuid4()), None, None, LINKS)

    def test_a_share_is_mailed_to_its_member_with_the_why_unless_they_said_no(self):
        ada, bob, cy, gone = member(), member(), member(email=None), member(status="inactive")
        quiet = Preferences(member_id=bob.member_id, decisions=False)
        cmd = allocation_posted(member_id=ada.member_id)
        [plan] = plan_allocation_posted(cmd, ada, None, LINKS)
        assert plan.recipient_id == ada.member_id and plan.facts["explanation"] == cmd.explanation
        assert plan.facts["link"] == f"https://coop.example/allocations/{cmd.allocation_id}"
        assert plan_allocation_posted(allocation_posted(member_id=bob.member_id), bob, quiet, LINKS) == []
        assert plan_allocation_posted(allocation_posted(member_id=cy.member_id), cy, None, LINKS) == []
        assert plan_allocation_posted(allocation_posted(member_id=gone.member_id), gone, None, LINKS) == []
        with pytest.raises(MemberUnknown):
            plan_allocation_posted(allocation_posted(), None, None, LINKS)


class TestBackoff:
    def test_waits_double_up_to_the_maximum(self):
        no_jitter = RetryPolicy(base=timedelta(seconds=30), maximum=timedelta(minutes=5), jitter=0)
        waits = [no_jitter.delay(n, 0.5).total_seconds() for n in range(1, 7)]
        assert waits == [30, 60, 120, 240, 300, 300]

    def test_jitter_only_shortens_a_wait_by_at_most_its_fraction(self):
        assert POLICY.delay(1, 0.0) == timedelta(seconds=30)
        assert POLICY.delay(1, 0.999) > timedelta(seconds=24)
        assert POLICY.delay(1, 0.5) == timedelta(seconds=27)

    def test_a_huge_attempt_count_does_not_overflow(self):
        assert POLICY.delay(10_000, 0) == timedelta(minutes=5)

    def test_an_inconsistent_policy_is_refused(self):
        with pytest.raises(ValueError):
            RetryPolicy(base=timedelta(minutes=5), maximum=timedelta(seconds=1))


class TestRecordingAnswers:
    def test_accepted_is_sent(self):
        m = message()
        assert m.record(Delivery(accepted=True), T0, POLICY, 0) == Status.SENT
        assert (m.status, m.sent_at, m.attempts, m.next_attempt_at) == ("sent", T0, 1, None)

    def test_a_sent_security_mail_keeps_no_link_in_the_database(self):
        m = message(kind="password_reset", text_body="https://coop.example/reset-password?token=t")
        m.record(Delivery(accepted=True), T0, POLICY, 0)
        assert m.text_body == m.html_body == REDACTED

    def test_a_refused_security_mail_keeps_its_body_for_the_retry(self):
        m = message(kind="invitation", text_body="link")
        m.record(Delivery(False, "451 later"), T0, POLICY, 0)
        assert m.text_body == "link"

    def test_a_transient_refusal_is_retried_after_the_backoff(self):
        m = message()
        assert m.record(Delivery(False, "451 4.3.0 try later"), T0, POLICY, 0) == RETRIED
        assert (m.status, m.attempts, m.last_error) == ("queued", 1, "451 4.3.0 try later")
        assert m.next_attempt_at == T0 + timedelta(seconds=30)

    def test_the_last_attempt_fails_the_message_with_the_answer(self):
        m = message(attempts=2)
        assert m.record(Delivery(False, "421 busy"), T0, POLICY, 0) == Status.FAILED
        assert (m.status, m.last_error, m.next_attempt_at) == ("failed", "421 busy", None)

    def test_a_permanent_refusal_bounces_at_once(self):
        m = message()
        assert m.record(Delivery(False, "550 5.1.1 no such user", permanent=True), T0, POLICY, 0) == Status.BOUNCED
        assert (m.status, m.attempts, m.last_error) == ("bounced", 1, "550 5.1.1 no such user")


class TestResend:
    def test_a_failed_message_is_queued_again_and_the_resend_recorded(self):
        admin, m = uuid.uuid4(), message(status="failed", attempts=3, next_attempt_at=None, last_error="421")
        m.resend(by=admin, at=T0, email="new@example.coop")
        assert (m.status, m.attempts, m.next_attempt_at, m.recipient_email) == ("queued", 0, T0, "new@example.coop")
        assert (m.resend_count, m.resent_by, m.resent_at) == (1, admin, T0)

    @pytest.mark.parametrize("status", ["queued", "sent"])
    def test_only_failed_or_bounced_mail_is_resent(self, status):
        with pytest.raises(NotResendable):
            message(status=status).resend(by=uuid.uuid4(), at=T0)


class TestIdempotencyKey:
    def test_the_same_event_recipient_and_kind_make_the_same_key(self):
        event, who = uuid.uuid4(), uuid.uuid4()
        assert idempotency_key(event, who, Kind.INVITATION) == idempotency_key(event, who, "invitation")
        assert message(source_event_id=event, recipient_id=who, kind="invitation").key == (event, who, "invitation")

    def test_another_kind_or_recipient_is_another_mail(self):
        event, who = uuid.uuid4(), uuid.uuid4()
        key = idempotency_key(event, who, Kind.INVITATION)
        assert key != idempotency_key(event, who, Kind.PASSWORD_RESET)
        assert key != idempotency_key(event, uuid.uuid4(), Kind.INVITATION)
