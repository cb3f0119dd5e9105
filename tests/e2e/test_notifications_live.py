"""Issue 17 on the real stack, mail caught by its SMTP server: a password reset in Chromium; reminder runs that mail
each active non-submitter once, triggered twice at once or due in two workers; decision mail and the member's
choice; mail a failing SMTP server refuses is retried, recorded and sent once the server is back."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from habitat_devstack.mailbox import plain_text
from habitat_devstack.stack import free_ports

from .broker import approved_envelope
from .browser import sign_in
from .conftest import Habitat, eventually, started_habitat
from .mail_checks import (
    MAIL_WITHIN_SECONDS,
    all_sent,
    link_in,
    mails,
    off_the_browsers_loop,
    query,
    recorded,
    wait_mail,
)

# about 100 s here, a third of it starting the stack; the cap leaves room for a loaded machine
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

STACK_ENV = {
    # a refused mail is tried again within a second, not after half a minute
    "NOTIFICATIONS_SENDER__RETRY_BASE_SECONDS": "0.5",
    "NOTIFICATIONS_SENDER__RETRY_MAX_SECONDS": "1",
    "NOTIFICATIONS_SENDER__RETRY_JITTER": "0",
    # after many tries, not eight: a loaded machine may be slow to bring the server back
    "NOTIFICATIONS_SENDER__MAX_ATTEMPTS": "40",
    # the worker's scheduler looks at start (no period is open yet) and then not for an hour: runs happen when a
    # test asks (an admin's trigger, or workers restarted with a slot due)
    "NOTIFICATIONS_REMINDERS__CHECK_INTERVAL_SECONDS": "3600",
}
SESSION_ENDS_WITHIN_SECONDS = 30  # as tests/e2e/test_sessions.py


@pytest.fixture(scope="module")
def live() -> Iterator[Habitat]:
    with started_habitat("habitat_notify", extra_env=STACK_ENV) as env:
        yield env


@pytest.fixture(scope="module")
def admin(live: Habitat) -> str:
    return live.admin_token()


def member_with_password(live: Habitat, role: str = "member") -> tuple[str, str, str]:
    """An active member who chose a password; (id, email, access token)."""
    member_id, email, temporary = live.create_member(role)
    first = live.login(email, temporary)["access_token"]
    changed = live.call("POST", "/auth/password", first,
                        json={"current_password": temporary, "new_password": f"e2e-{secrets.token_urlsafe(16)}"})
    assert changed.status_code == 200, changed.text
    return member_id, email, changed.json()["access_token"]


class TestPasswordResetInChromium:
    def test_a_mailed_link_sets_a_new_password_once_and_ends_every_other_session(self, live: Habitat,
                                                                                   browser) -> None:
        from playwright.sync_api import expect

        _, email, _ = live.create_member()
        first_password = f"first-{secrets.token_urlsafe(12)}"
        session_a = browser.new_context().new_page()
        session_a.goto(link_in(live, wait_mail(live, email, "invitation"), "/accept-invitation"))
        session_a.fill("input[name=new_password]", first_password)
        session_a.click("main button[type=submit]")
        # the notice says what happened and takes focus; the address drops ?done so a reload does not repeat it
        expect(session_a.locator("main .notice")).to_have_text("Your password is set. Sign in with it.")
        expect(session_a.locator("main .notice")).to_be_focused()
        expect(session_a).to_have_url(live.url + "/login")
        sign_in(session_a, live.url, email, first_password)
        expect(session_a).to_have_url(live.url + "/dashboard")
        api_a = live.login(email, first_password)

        page = browser.new_context().new_page()
        page.goto(live.url + "/login")
        page.click("text=Forgot password?")
        page.fill("input[name=email]", email)
        page.click("main button[type=submit]")
        expect(page.locator(".notice")).to_contain_text("on its way")
        link = link_in(live, wait_mail(live, email, "password_reset"), "/reset-password")
        page.goto(link)
        page.fill("input[name=new_password]", email.split("@")[0] + "-and-more")  # contains the email
        page.click("main button[type=submit]")
        expect(page.locator(".error")).to_be_visible()
        new_password = f"second-{secrets.token_urlsafe(12)}"
        page.fill("input[name=new_password]", new_password)  # the same form: the refusal did not use the link
        page.click("main button[type=submit]")
        expect(page.locator("main .notice")).to_contain_text("Your new password is set")
        expect(page).to_have_url(live.url + "/login")
        sign_in(page, live.url, email, new_password)
        expect(page).to_have_url(live.url + "/dashboard")

        old = live.call("POST", "/auth/login", json={"email": email, "password": first_password})
        assert old.status_code == 401, old.text

        def a_is_sent_to_sign_in() -> bool:
            session_a.goto(live.url + "/dashboard")
            return session_a.url.startswith(live.url + "/login")

        eventually(a_is_sent_to_sign_in, timeout=SESSION_ENDS_WITHIN_SECONDS, interval=0.5)
        eventually(lambda: live.call("GET", "/me", api_a["access_token"]).status_code == 401,
                   timeout=SESSION_ENDS_WITHIN_SECONDS, interval=0.2)
        assert live.call("POST", "/auth/refresh", json={"refresh_token": api_a["refresh_token"]}).status_code == 401

        again = browser.new_context().new_page()
        again.goto(link)
        again.fill("input[name=new_password]", f"third-{secrets.token_urlsafe(12)}")
        again.click("main button[type=submit]")
        expect(again.locator(".error")).to_be_visible()
        token = parse_qs(urlsplit(link).query)["token"][0]
        reused = live.call("POST", "/auth/reset-password", json={"token": token, "new_password": "fourth-Pass-8412-z"})
        assert (reused.status_code, reused.json()["error"]["code"]) == (400, "token_used"), reused.text
        assert live.login(email, new_password)["access_token"]
        assert len(mails(live, email, "password_reset")) == 1
        # the sign-ins after the first came from clients without this account's device cookie (the API, the second
        # browser): the member is told, once per client address within the day (Chromium may come over ::1)
        assert "a new sign-in" in wait_mail(live, email, "new_device")["Subject"]
        notices = [plain_text(mail) for mail in mails(live, email, "new_device")]
        clients = [line.split("from:")[1].strip() for text in notices for line in text.splitlines() if "from:" in line]
        assert len(clients) == len(notices) and len(set(clients)) == len(clients), clients
        assert set(clients) <= {"127.0.0.1", "::1"}


@dataclass(frozen=True)
class Cohort:
    """Members around an open period containing today: who submitted, who did not, who is inactive."""

    period_id: str
    submitters: list[tuple[str, str]]  # (id, email)
    non_submitters: list[tuple[str, str]]
    inactive: tuple[str, str]

    def quiet(self) -> list[tuple[str, str]]:
        return [*self.submitters, self.inactive]


@pytest.fixture(scope="module")
def cohort(live: Habitat, admin: str) -> Cohort:
    today = datetime.now(UTC).date()
    period = live.call("POST", "/periods", admin, json={
        "name": f"Reminder week {today}", "starts_on": str(today - timedelta(days=3)),
        "ends_on": str(today + timedelta(days=3)),
    })
    assert period.status_code == 201, period.text
    period_id = period.json()["id"]
    members = [member_with_password(live) for _ in range(6)]
    for _, _, token in members[:2]:
        contribution = live.submit(token, {"type": "capital", "contributed_on": str(today), "amount": "40.00",
                                           "description": "Tools bought for the workshop"})
        assert contribution["period_id"] == period_id
    inactive_id = members[5][0]
    deactivated = live.call("PATCH", f"/members/{inactive_id}", admin, json={"status": "inactive"})
    assert deactivated.status_code == 200, deactivated.text
    cohort = Cohort(period_id, [m[:2] for m in members[:2]], [m[:2] for m in members[2:5]], members[5][:2])
    active = [m[0] for m in [*cohort.submitters, *cohort.non_submitters]]

    def replicas_caught_up() -> bool:
        # what a run decides on travels to the notifications replicas as events
        (row,) = query(live, """
            SELECT (SELECT count(*) FROM notifications.member_replica
                     WHERE member_id::text = ANY($1) AND status = 'active') AS active,
                   (SELECT count(*) FROM notifications.member_replica
                     WHERE member_id::text = $2 AND status = 'inactive') AS inactive,
                   (SELECT count(DISTINCT member_id) FROM notifications.contribution_replica
                     WHERE period_id::text = $3) AS submitters,
                   (SELECT count(*) FROM notifications.period_replica
                     WHERE period_id::text = $3 AND status = 'open') AS period""",
                       active, inactive_id, period_id)
        return tuple(row) == (5, 1, 2, 1)

    eventually(replicas_caught_up, timeout=30, interval=0.2)
    return cohort


def each_mailed_once(live: Habitat, admin: str, cohort: Cohort, kind: str) -> None:
    """Every active non-submitter has one mail of kind, recorded as sent and received; the others none."""
    for member_id, email in cohort.non_submitters:
        sent = all_sent(live, admin, member_id, kind)
        assert len(sent) == 1, sent
        received = mails(live, email, kind)
        assert len(received) == 1, [m["Subject"] for m in received]
        assert "Reminder week" in received[0]["Subject"]
    for member_id, email in cohort.quiet():
        assert recorded(live, admin, member_id, kind) == []
        assert mails(live, email, kind) == []


class TestReminderRuns:
    def test_triggered_twice_at_once_and_again_it_runs_once(self, live: Habitat, admin: str, cohort: Cohort) -> None:
        at_once = threading.Barrier(2)

        def trigger(_: object):
            at_once.wait(timeout=10)
            return live.call("POST", "/notifications/runs", admin, json={"kind": "weekly_reminder"})

        with ThreadPoolExecutor(2) as pool:
            answers = [a for a in pool.map(trigger, range(2))]
        assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
        outcomes = sorted((a.json() for a in answers), key=lambda o: o["ran"])
        assert [o["ran"] for o in outcomes] == [False, True]
        assert outcomes[0]["key"] == outcomes[1]["key"] and cohort.period_id in outcomes[1]["key"]
        assert outcomes[0]["mailed"] == 0 and outcomes[1]["mailed"] >= len(cohort.non_submitters)
        later = live.call("POST", "/notifications/runs", admin, json={"kind": "weekly_reminder"})
        assert later.status_code == 200, later.text
        assert later.json() == {"kind": "weekly_reminder", "key": outcomes[1]["key"], "ran": False, "mailed": 0}
        each_mailed_once(live, admin, cohort, "weekly_reminder")

    def test_two_workers_with_the_slot_due_mail_each_non_submitter_once(self, live: Habitat, admin: str,
                                                                          cohort: Cohort) -> None:
        # the period ends in 3 days: its final-week slot is due from weekly_hour, here midnight; both workers
        # look at start and every second
        stack, config = live.stack, live.config
        workers = ("notifications-worker", "notifications-worker-2")
        saved = dict(config.extra_env)
        stack.stop("notifications-worker")
        config.extra_env |= {"NOTIFICATIONS_REMINDERS__WEEKLY_HOUR": "0",
                             "NOTIFICATIONS_REMINDERS__CHECK_INTERVAL_SECONDS": "1"}
        config.ports["notifications-worker-2"] = free_ports()["notifications-worker"]
        try:
            for name in workers:
                stack.start(name)  # the second is the same worker module and environment, on its own port
            for name in workers:
                stack.wait_ready(name)
            each_mailed_once(live, admin, cohort, "final_week")
            runs = query(live, "SELECT key, mailed FROM notifications.reminder_run WHERE kind = 'final_week'")
            assert [r["key"] for r in runs] == [cohort.period_id]
        finally:
            for name in workers:
                stack.stop(name)
            config.extra_env.clear()
            config.extra_env.update(saved)
            del config.ports["notifications-worker-2"]
            stack.start("notifications-worker")
            stack.wait_ready("notifications-worker")


class TestDecisionMail:
    def test_rejection_mails_the_reason_approval_mails_and_a_member_may_turn_it_off(self, live: Habitat,
                                                                                      admin: str) -> None:
        _, _, steward = member_with_password(live, "steward")
        _, email, member = member_with_password(live)

        def submit(token: str, description: str) -> str:
            body = {"type": "capital", "contributed_on": "2026-02-10", "amount": "75.00", "description": description}
            return live.submit(token, body)["id"]

        doubtful, sound = submit(member, "Cash handed over at the assembly"), submit(member, "Bank transfer in March")
        reason = "No receipt is attached: please add the bank statement for this payment."
        rejected = live.call("POST", f"/contributions/{doubtful}/reject", steward, json={"reason": reason})
        assert rejected.status_code == 200, rejected.text
        assert reason in plain_text(wait_mail(live, email, "contribution_rejected"))
        approved = live.call("POST", f"/contributions/{sound}/approve", steward, json={})
        assert approved.status_code == 200, approved.text
        assert wait_mail(live, email, "contribution_approved")

        quiet_id, quiet_email, quiet = member_with_password(live)
        chosen = live.call("PUT", "/notifications/preferences/me", quiet, json={"decisions": False, "reminders": True})
        assert chosen.status_code == 200 and chosen.json()["decisions"] is False, chosen.text
        assert live.call("GET", "/notifications/preferences/me", quiet).json()["decisions"] is False
        contribution = submit(quiet, "Paint for the common room")
        assert live.call("POST", f"/contributions/{contribution}/approve", steward, json={}).status_code == 200
        # written with the approval
        event_id = off_the_browsers_loop(approved_envelope, live.config.database_url, contribution)["event_id"]
        # once notifications has taken the approval in, the mail it would write exists (same transaction)
        eventually(lambda: query(live, "SELECT 1 FROM notifications.inbox WHERE event_id::text = $1", event_id),
                   timeout=MAIL_WITHIN_SECONDS, interval=0.2)
        assert recorded(live, admin, quiet_id, "contribution_approved") == []
        assert mails(live, quiet_email, "contribution_approved") == []
        assert len(mails(live, email, "contribution_approved")) == 1


class TestFailingSmtpServer:
    def test_refused_mail_is_retried_recorded_and_sent_once_when_the_server_is_back(self, live: Habitat,
                                                                                      admin: str) -> None:
        with live.mailbox.refusing():
            created = [live.create_member()[:2] for _ in range(3)]

            def refused_twice(member_id: str) -> dict:
                def check() -> dict | None:
                    found = recorded(live, admin, member_id, "invitation")
                    return found[0] if found and found[0]["attempts"] >= 2 else None

                return eventually(check, timeout=MAIL_WITHIN_SECONDS)

            waiting = [refused_twice(member_id) for member_id, _ in created]
            for message in waiting:
                assert message["status"] == "queued" and message["next_attempt_at"], message
                assert message["last_error"].startswith("451"), message
            assert all(live.mailbox.messages(email) == [] for _, email in created)
        for (member_id, email), message in zip(created, waiting, strict=True):
            sent = all_sent(live, admin, member_id, "invitation")
            assert [m["id"] for m in sent] == [message["id"]]
            assert sent[0]["attempts"] > message["attempts"]
            assert len(live.mailbox.messages(email)) == 1
