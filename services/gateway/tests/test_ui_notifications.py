"""The mail pages of the web UI (issue 17): a member's mail settings; the admin's mail log, resend and reminder
runs — what reaches the notifications service, what the page shows, who is refused."""

from __future__ import annotations

import html
import json
import re
import uuid

import httpx
import pytest

MEMBER = uuid.uuid4()
FAILED, BOUNCED, SENT = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
NOT_RESENDABLE = {"error": {"code": "not_resendable", "message": "Only a failed or bounced mail is resent."}}


def message(message_id: uuid.UUID, status: str, **extra) -> dict:
    return {
        "id": str(message_id), "kind": "contribution_rejected", "recipient_id": str(MEMBER),
        "recipient_email": f"{status}@example.coop", "subject": f"Subject of the {status} one", "status": status,
        "attempts": 3, "next_attempt_at": None, "last_error": None, "source_event_id": str(uuid.uuid4()),
        "created_at": "2026-12-04T09:00:00+00:00", "sent_at": None, "resend_count": 0, "resent_at": None,
        "resent_by": None,
    } | extra  # fmt: skip


LOG = [message(FAILED, "failed", last_error="550 5.1.1 no such user"), message(BOUNCED, "bounced"),
       message(SENT, "sent", sent_at="2026-12-04T09:00:05+00:00")]


class Notifications:
    """The notifications service: records each call; a weekly reminder's slot runs once; a sent mail is not
    resent; `refuse` makes every change answer with that error."""

    def __init__(self, refuse: tuple[int, dict] | None = None, open_period: bool = True) -> None:
        self.calls: list[tuple[str, dict, object]] = []
        self.refuse, self.open_period, self.ran = refuse, open_period, set()
        self.prefs = {"member_id": str(MEMBER), "decisions": False, "reminders": True, "security": True,
                      "updated_at": "2026-12-04T10:00:00Z"}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.calls.append((f"{request.method} {request.url.path}", dict(request.url.params), body))
        path = request.url.path
        if request.method != "GET" and self.refuse:
            return httpx.Response(self.refuse[0], json=self.refuse[1])
        if path == "/notifications/preferences/me":
            self.prefs |= body or {}
            return httpx.Response(200, json=self.prefs)
        if path == "/notifications/messages":
            if request.url.params.get("after") == "bad":
                return httpx.Response(422, json={"error": {"code": "invalid_cursor", "message": "Not a cursor."}})
            return httpx.Response(200, json={"items": LOG, "next_cursor": "cur-2"})
        if path.endswith("/resend"):
            if path != f"/notifications/messages/{FAILED}/resend":
                return httpx.Response(409, json=NOT_RESENDABLE)
            return httpx.Response(200, json=LOG[0] | {"status": "queued", "attempts": 0, "resend_count": 1})
        if path == "/notifications/runs":
            key = "2026-W49/2026" if self.open_period else None
            ran = key is not None and body["kind"] not in self.ran
            self.ran.add(body["kind"])
            return httpx.Response(200, json={"kind": body["kind"], "key": key, "ran": ran, "mailed": 4 if ran else 0})
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "nope"}})

    def changes(self) -> list[tuple[str, object]]:
        return [(call, body) for call, _, body in self.calls if not call.startswith("GET")]


def signed_in(http: httpx.AsyncClient, keys, role: str) -> httpx.AsyncClient:
    http.cookies.set("habitat_access", keys.mint(MEMBER, role))
    http.cookies.set("habitat_csrf", "c1")
    return http


def checked(page: str, name: str) -> bool:
    box = re.search(rf'<input type="checkbox" name="{name}"[^>]*>', page)
    assert box, f"no {name} checkbox"
    return "checked" in box.group(0)


def notice(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</p>', page, re.DOTALL)
    assert found, f"no #{element_id}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())


class TestMailSettings:
    async def test_the_page_shows_the_switches_as_chosen_and_that_security_mail_always_goes(self, gateway_over, keys):
        service = Notifications()
        async with gateway_over(notifications=service) as http:
            page = await signed_in(http, keys, "member").get("/profile/mail")
        assert page.status_code == 200
        assert not checked(page.text, "decisions") and checked(page.text, "reminders")
        assert "password resets and invitations — is always sent" in page.text
        assert [call for call, _, _ in service.calls] == ["GET /notifications/preferences/me"]

    async def test_saving_sends_both_switches_and_confirms(self, gateway_over, keys):
        service = Notifications()
        async with gateway_over(notifications=service) as http:
            page = await signed_in(http, keys, "member").post("/profile/mail",
                                                              data={"csrf_token": "c1", "decisions": "yes"})
        assert page.status_code == 200 and "Saved" in notice(page.text, "saved")
        assert service.changes() == [("PUT /notifications/preferences/me", {"decisions": True, "reminders": False})]
        assert checked(page.text, "decisions") and not checked(page.text, "reminders")

    async def test_a_post_without_the_csrf_token_reaches_nothing(self, gateway_over, keys):
        service = Notifications()
        async with gateway_over(notifications=service) as http:
            refused = await signed_in(http, keys, "member").post("/profile/mail", data={"decisions": "yes"})
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "csrf_failed")
        assert service.calls == []

    async def test_a_refusal_is_shown_with_the_choice_kept(self, gateway_over, keys):
        down = (503, {"error": {"code": "upstream_unavailable", "message": "Mail settings are unavailable."}})
        async with gateway_over(notifications=Notifications(refuse=down)) as http:
            page = await signed_in(http, keys, "member").post(
                "/profile/mail", data={"csrf_token": "c1", "reminders": "yes"})
        assert page.status_code == 503 and "Mail settings are unavailable." in page.text
        assert 'id="saved"' not in page.text
        assert not checked(page.text, "decisions") and checked(page.text, "reminders")

    async def test_the_profile_links_to_it(self, gateway_over, keys):
        me = {"display_name": "Ada", "email": "ada@example.coop", "role": "member", "status": "active",
              "joined_at": "2026-01-01"}
        async with gateway_over(identity=lambda _: httpx.Response(200, json=me)) as http:
            page = await signed_in(http, keys, "member").get("/profile")
        assert 'href="/profile/mail"' in page.text


class TestAdminMailLog:
    async def test_the_log_shows_each_mail_with_resend_only_where_it_failed(self, gateway_over, keys):
        service = Notifications()
        async with gateway_over(notifications=service) as http:
            page = await signed_in(http, keys, "admin").get("/admin/mail", params={"status": "failed"})
        assert page.status_code == 200
        assert service.calls[0][:2] == ("GET /notifications/messages", {"status": "failed", "limit": "50"})
        rows = re.findall(r'<tr data-message-id="([^"]+)">(.*?)</tr>', page.text, re.DOTALL)
        assert [row_id for row_id, _ in rows] == [str(FAILED), str(BOUNCED), str(SENT)]
        resend = {row_id for row_id, row in rows if f"/admin/mail/messages/{row_id}/resend" in row}
        assert resend == {str(FAILED), str(BOUNCED)}
        assert "550 5.1.1 no such user" in rows[0][1] and "failed@example.coop" in rows[0][1]
        assert 'href="/admin/mail?status=failed&amp;after=cur-2"' in page.text
        assert '<option value="failed" selected>' in page.text

    async def test_next_page_passes_the_cursor_on_and_a_bad_cursor_is_shown_on_the_page(self, gateway_over, keys):
        service = Notifications()
        async with gateway_over(notifications=service) as http:
            signed_in(http, keys, "admin")
            second = await http.get("/admin/mail", params={"after": "cur-2"})
            bad = await http.get("/admin/mail", params={"after": "bad", "status": "nonsense"})
        assert second.status_code == 200 and 'id="first-page"' in second.text
        assert [params for _, params, _ in service.calls] == [{"after": "cur-2", "limit": "50"},
                                                              {"after": "bad", "limit": "50"}]
        assert bad.status_code == 422 and "Not a cursor." in bad.text

    async def test_resend_queues_the_mail_again_and_keeps_the_view(self, gateway_over, keys):
        service = Notifications()
        async with gateway_over(notifications=service) as http:
            page = await signed_in(http, keys, "admin").post(
                f"/admin/mail/messages/{FAILED}/resend", data={"csrf_token": "c1", "status": "failed"})
        assert page.status_code == 200
        assert notice(page.text, "resent").startswith("Queued again: “Subject of the failed one” to failed@")
        assert service.changes() == [(f"POST /notifications/messages/{FAILED}/resend", None)]
        assert service.calls[-1][1] == {"status": "failed", "limit": "50"}

    async def test_a_refused_resend_is_shown_on_the_page_with_the_filter_kept(self, gateway_over, keys):
        service = Notifications()
        async with gateway_over(notifications=service) as http:
            page = await signed_in(http, keys, "admin").post(
                f"/admin/mail/messages/{SENT}/resend", data={"csrf_token": "c1", "status": "sent", "after": "cur-2"})
        assert page.status_code == 409 and "Only a failed or bounced mail is resent." in page.text
        assert service.calls[-1][:2] == ("GET /notifications/messages", {"status": "sent", "after": "cur-2",
                                                                         "limit": "50"})
        assert '<option value="sent" selected>' in page.text


class TestRunNow:
    async def test_a_run_says_how_many_it_mailed_and_a_second_that_it_already_ran(self, gateway_over, keys):
        service = Notifications()
        async with gateway_over(notifications=service) as http:
            signed_in(http, keys, "admin")
            first = await http.post("/admin/mail/runs", data={"csrf_token": "c1", "kind": "weekly_reminder"})
            again = await http.post("/admin/mail/runs", data={"csrf_token": "c1", "kind": "weekly_reminder"})
        assert first.status_code == again.status_code == 200
        assert notice(first.text, "run-outcome").startswith("Weekly reminder ran (2026-W49/2026): 4 mail(s)")
        assert notice(again.text, "run-outcome").startswith("Weekly reminder already ran this slot")
        assert service.changes() == [("POST /notifications/runs", {"kind": "weekly_reminder"})] * 2

    async def test_without_an_open_period_nothing_runs(self, gateway_over, keys):
        async with gateway_over(notifications=Notifications(open_period=False)) as http:
            page = await signed_in(http, keys, "admin").post(
                "/admin/mail/runs", data={"csrf_token": "c1", "kind": "final_week"})
        assert notice(page.text, "run-outcome").startswith("Final-week push: nothing to run now (not yet")

    async def test_an_unknown_kind_is_refused_on_the_page_before_the_service(self, gateway_over, keys):
        service = Notifications()
        async with gateway_over(notifications=service) as http:
            page = await signed_in(http, keys, "admin").post(
                "/admin/mail/runs", data={"csrf_token": "c1", "kind": "monthly_newsletter"})
        assert page.status_code == 422 and "No such reminder" in page.text
        assert service.changes() == []

    @pytest.mark.parametrize("path", ["/admin/mail/runs", f"/admin/mail/messages/{FAILED}/resend"])
    async def test_a_post_without_the_csrf_token_reaches_nothing(self, gateway_over, keys, path):
        service = Notifications()
        async with gateway_over(notifications=service) as http:
            refused = await signed_in(http, keys, "admin").post(path, data={"kind": "weekly_reminder",
                                                                            "csrf_token": "forged"})
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "csrf_failed")
        assert service.calls == []


class TestWhoMaySeeTheMailPage:
    @pytest.mark.parametrize("role", ["member", "steward"])
    async def test_others_get_the_refusal_page_and_nothing_reaches_the_service(self, gateway_over, keys, role):
        service = Notifications()
        async with gateway_over(notifications=service) as http:
            signed_in(http, keys, role)
            answers = [
                await http.get("/admin/mail"),
                await http.post(f"/admin/mail/messages/{FAILED}/resend", data={"csrf_token": "c1"}),
                await http.post("/admin/mail/runs", data={"csrf_token": "c1", "kind": "weekly_reminder"}),
            ]
            settings = await http.get("/profile/mail")
        for answer in answers:
            assert answer.status_code == 403 and "This page is for admins." in answer.text
        assert 'href="/admin/mail"' not in settings.text
        assert [call for call, _, _ in service.calls] == ["GET /notifications/preferences/me"]

    async def test_admins_find_it_in_the_nav(self, gateway_over, keys):
        async with gateway_over(notifications=Notifications()) as http:
            page = await signed_in(http, keys, "admin").get("/profile/mail")
        assert 'href="/admin/mail"' in page.text

    async def test_anonymous_is_sent_to_sign_in(self, gateway_over):
        async with gateway_over(notifications=Notifications()) as http:
            answer = await http.get("/admin/mail")
        assert (answer.status_code, answer.headers["location"]) == (303, "/login")
