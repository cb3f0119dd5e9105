from datetime import UTC, datetime
from decimal import Decimal
from email import message_from_bytes, policy

import aiosmtplib
import pytest

from habitat_notifications.adapters.smtp import answer_of, build_email
from habitat_notifications.adapters.templates import JinjaComposer
from habitat_notifications.domain.commands import MailNewDevice
from habitat_notifications.domain.kinds import Kind
from habitat_notifications.domain.links import Links
from habitat_notifications.domain.mailing import plan_allocation_posted, plan_decision, plan_link, plan_new_device
from habitat_notifications.domain.reminders import plan_steward_digest, plan_submission_reminders
from habitat_notifications.domain.schedule import Run
from habitat_notifications.service_layer.mailing import Mailroom
from tests.builders import T0, allocation_posted, decision, link, member, period

LINKS = Links("https://coop.example")
COMPOSER = JinjaComposer(coop_name="Acorn <Co-op>", links=LINKS)
EVIL = '<script>alert("x")</script> & "quotes"'


def rejected_draft(reason: str = EVIL, name: str = "Ada"):
    ada = member(display_name=name)
    [plan] = plan_decision(decision(ada.member_id, reason=reason), ada, None, LINKS)
    return COMPOSER.compose(plan)


def new_device(user_agent: str = EVIL) -> MailNewDevice:
    ada = member()
    return MailNewDevice(event_id=ada.member_id, member_id=ada.member_id, email="ada@example.coop",
                         display_name="Ada", signed_in_at=T0, client="198.51.100.7", user_agent=user_agent)


class TestRendering:
    @pytest.mark.parametrize("kind", list(Kind))
    def test_every_kind_renders_subject_text_and_html(self, kind):
        ada = member()
        if kind in (Kind.INVITATION, Kind.PASSWORD_RESET):
            [plan] = plan_link(link(kind), LINKS)
        elif kind in (Kind.WEEKLY_REMINDER, Kind.FINAL_WEEK):
            [plan] = plan_submission_reminders(Run(kind, "k", period()), [ada], set(), {}, LINKS)
        elif kind is Kind.STEWARD_DIGEST:
            [plan] = plan_steward_digest(Run(kind, "k"), [member(role="steward")], 2, T0, T0, {}, LINKS)
        elif kind is Kind.NEW_DEVICE:
            [plan] = plan_new_device(new_device(), LINKS)
        elif kind is Kind.ALLOCATION_POSTED:
            [plan] = plan_allocation_posted(allocation_posted(member_id=ada.member_id), ada, None, LINKS)
        else:
            [plan] = plan_decision(decision(ada.member_id, kind), ada, None, LINKS)
        draft = COMPOSER.compose(plan)
        assert "Acorn <Co-op>" in draft.subject and "\n" not in draft.subject
        assert plan.facts["link"] in draft.text and plan.facts["link"].replace("&", "&amp;") in draft.html
        assert "Acorn &lt;Co-op&gt;" in draft.html

    def test_html_is_autoescaped_and_text_shows_the_reason_as_written(self):
        draft = rejected_draft()
        assert "<script>" not in draft.html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;" in draft.html
        assert EVIL in draft.text

    def test_the_new_device_notice_says_when_where_and_what_and_cannot_be_turned_off(self):
        [plan] = plan_new_device(new_device(), LINKS)
        draft = COMPOSER.compose(plan)
        assert plan.kind.essential and draft.unsubscribe_url is None
        assert T0.strftime("%Y-%m-%d %H:%M UTC") in draft.text and "198.51.100.7" in draft.text
        assert EVIL in draft.text and "<script>" not in draft.html
        assert "https://coop.example/forgot-password" in draft.text
        [plan] = plan_new_device(new_device(user_agent=""), LINKS)
        assert "with:  not given" in COMPOSER.compose(plan).text

    def test_the_share_mail_says_the_amounts_and_why(self):
        ada = member()
        cmd = allocation_posted(member_id=ada.member_id, tax_allocation=Decimal("1100.00"))
        [plan] = plan_allocation_posted(cmd, ada, None, LINKS)
        draft = COMPOSER.compose(plan)
        assert "2026-Q4" in draft.subject
        assert "Your share: 1200.00 (tax basis: 1100.00)." in draft.text
        assert all(f"- {sentence}" in draft.text for sentence in cmd.explanation)
        assert all(f"<li>{sentence}</li>" in draft.html for sentence in cmd.explanation)

    def test_a_name_cannot_break_the_subject_into_headers(self):
        ada = member(display_name="Ada\nBcc: all@example.coop")
        [plan] = plan_link(link(display_name=ada.display_name), LINKS)
        draft = COMPOSER.compose(plan)
        assert "\n" not in draft.subject

    def test_non_essential_mail_links_to_the_preferences_and_security_mail_does_not(self):
        assert rejected_draft().unsubscribe_url == "https://coop.example/profile/mail"
        assert "https://coop.example/profile/mail" in rejected_draft().text
        reset = COMPOSER.compose(plan_link(link(), LINKS)[0])
        assert reset.unsubscribe_url is None and "profile/mail" not in reset.text + reset.html


class TestTheEmail:
    def test_list_unsubscribe_and_both_bodies(self):
        room = Mailroom(links=LINKS, composer=COMPOSER, clock=lambda: datetime(2026, 12, 1, tzinfo=UTC))
        ada = member()
        message = room.draft(plan_decision(decision(ada.member_id), ada, None, LINKS)[0])
        mail = message_from_bytes(
            bytes(build_email(message, sender="mail@coop.example", sender_name="Acorn")), policy=policy.default
        )
        assert mail["List-Unsubscribe"] == "<https://coop.example/profile/mail>"
        assert mail["Message-ID"] == f"<{message.id}@coop.example>"
        assert mail["To"] == ada.email and mail["From"] == "Acorn <mail@coop.example>"
        assert mail.get_body(("plain",)).get_content() == message.text_body
        assert mail.get_body(("html",)).get_content() == message.html_body

    def test_security_mail_has_no_list_unsubscribe(self):
        room = Mailroom(links=LINKS, composer=COMPOSER, clock=lambda: datetime(2026, 12, 1, tzinfo=UTC))
        message = room.draft(plan_link(link(), LINKS)[0])
        assert "List-Unsubscribe" not in build_email(message, sender="m@coop.example", sender_name="Acorn")


class TestServerAnswers:
    def test_a_5xx_to_the_recipient_is_permanent(self):
        error = aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(550, "5.1.1 no such user", "x@y")])
        assert answer_of(error) == ("550 5.1.1 no such user", True)

    def test_a_4xx_is_transient(self):
        assert answer_of(aiosmtplib.SMTPDataError(451, "4.3.0 try later")) == ("451 4.3.0 try later", False)

    def test_a_5xx_to_our_login_is_retried_not_bounced(self):
        assert answer_of(aiosmtplib.SMTPAuthenticationError(535, "bad credentials"))[1] is False

    def test_a_broken_connection_is_transient(self):
        answer, permanent = answer_of(ConnectionRefusedError(111, "refused"))
        assert not permanent and "refused" in answer
