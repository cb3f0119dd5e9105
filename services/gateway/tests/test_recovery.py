"""Forgot password, reset password and invitations through the gateway: the public API routes (no token),
the admin's re-invitation, and the UI pages (no JavaScript, CSRF-checked, input kept on errors)."""

from __future__ import annotations

import json
import re
import uuid

import httpx
import pytest

SENT = {"status": "accepted", "message": "If the address belongs to a member, a link is on its way."}


@pytest.fixture
def calls() -> list[httpx.Request]:
    return []


def identity_answering(calls: list[httpx.Request], status: int = 204, body: dict | None = None,
                       headers: dict | None = None):
    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if status == 204:
            return httpx.Response(204)
        return httpx.Response(status, json=body, headers=headers)

    return answer


def sent_json(request: httpx.Request) -> dict:
    return json.loads(request.read())


def refusal(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def from_peer(client: httpx.AsyncClient, peer: str) -> httpx.AsyncClient:
    app = client._transport.app  # type: ignore[attr-defined]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app, client=(peer, 50000)), base_url="http://gw")


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


class TestApi:
    async def test_forgot_password_needs_no_token_and_sends_the_callers_address(self, gateway_over, calls):
        async with gateway_over(identity=identity_answering(calls, 202, SENT)) as gw, from_peer(gw, "203.0.113.5") as c:
            answer = await c.post("/api/v1/auth/forgot-password", json={"email": "ada@example.coop"},
                                  headers={"X-Forwarded-For": "192.0.2.1"})
        assert (answer.status_code, answer.json()) == (202, SENT)
        [call] = calls
        assert (call.url.path, sent_json(call)) == ("/auth/forgot-password", {"email": "ada@example.coop"})
        assert call.headers["x-forwarded-for"] == "203.0.113.5" and "authorization" not in call.headers

    async def test_a_throttled_client_gets_429_with_retry_after(self, gateway_over, calls):
        identity = identity_answering(calls, 429, refusal("too_many_attempts", "Wait."), {"Retry-After": "120"})
        async with gateway_over(identity=identity) as gw:
            answer = await gw.post("/api/v1/auth/forgot-password", json={"email": "ada@example.coop"})
        assert (answer.status_code, answer.headers["retry-after"]) == (429, "120")

    @pytest.mark.parametrize("path", ["/auth/reset-password", "/auth/accept-invitation"])
    async def test_setting_a_password_by_link_passes_the_token_on(self, gateway_over, calls, path):
        body = {"token": "t0ken", "new_password": "quiet river under stone bridges"}
        async with gateway_over(identity=identity_answering(calls)) as gw:
            done = await gw.post(f"/api/v1{path}", json=body)
            extra = await gw.post(f"/api/v1{path}", json=body | {"member_id": str(uuid.uuid4())})
        assert done.status_code == 204 and (calls[0].url.path, sent_json(calls[0])) == (path, body)
        assert extra.status_code == 422 and len(calls) == 1  # a field the schema does not name never travels

    async def test_a_spent_link_is_refused_with_identitys_code(self, gateway_over, calls):
        identity = identity_answering(calls, 400, refusal("token_used", "This link was already used."))
        async with gateway_over(identity=identity) as gw:
            answer = await gw.post("/api/v1/auth/reset-password", json={"token": "t", "new_password": "x" * 12})
        assert (answer.status_code, answer.json()["error"]["code"]) == (400, "token_used")

    async def test_only_admins_invite_again(self, gateway_over, calls, keys):
        member_id = str(uuid.uuid4())
        answer = {"member_id": member_id, "expires_at": "2026-03-09T09:00:00Z"}
        async with gateway_over(identity=identity_answering(calls, 201, answer)) as gw:
            steward = await gw.post(f"/api/v1/members/{member_id}/invitation",
                                    headers={"Authorization": f"Bearer {keys.mint(uuid.uuid4(), 'steward')}"})
            anonymous = await gw.post(f"/api/v1/members/{member_id}/invitation")
            admin = await gw.post(f"/api/v1/members/{member_id}/invitation",
                                  headers={"Authorization": f"Bearer {keys.mint(uuid.uuid4(), 'admin')}"})
        assert (steward.status_code, anonymous.status_code) == (403, 401)
        assert (admin.status_code, admin.json()) == (201, answer)
        [call] = calls
        assert call.url.path == f"/members/{member_id}/invitation" and call.headers["authorization"].startswith("Bearer")

    async def test_the_openapi_documents_the_new_operations(self, gateway_over):
        async with gateway_over() as gw:
            document = (await gw.get("/api/v1/openapi.json")).json()
        paths, schemas = document["paths"], document["components"]["schemas"]
        forgot = paths["/api/v1/auth/forgot-password"]["post"]
        assert "202" in forgot["responses"] and "too_many_attempts" in forgot["responses"]["429"]["description"]
        assert "same body" in forgot["description"]
        for path in ("/api/v1/auth/reset-password", "/api/v1/auth/accept-invitation"):
            assert "token_expired" in paths[path]["post"]["responses"]["400"]["description"]
        assert "send_invitation" in schemas["CreateMemberRequest"]["properties"]
        assert "in person" in schemas["CreateMemberRequest"]["properties"]["send_invitation"]["description"]
        assert schemas["SetPasswordRequest"]["additionalProperties"] is False
        assert "201" in paths["/api/v1/members/{member_id}/invitation"]["post"]["responses"]


class TestPages:
    async def test_sign_in_links_to_the_forgot_password_form_which_mails_a_link(self, gateway_over, calls):
        async with gateway_over(identity=identity_answering(calls, 202, SENT)) as gw:
            login = await gw.get("/login")
            assert 'href="/forgot-password"' in login.text
            form = await gw.get("/forgot-password")
            assert form.status_code == 200 and 'action="/forgot-password"' in form.text
            sent = await gw.post("/forgot-password", data={"email": "ada@example.coop",
                                                           "csrf_token": gw.cookies["habitat_csrf"]})
        assert sent.status_code == 200 and "a link to choose a new password is on its way" in sent.text
        assert 'name="email"' not in sent.text
        assert sent_json(calls[0]) == {"email": "ada@example.coop"}

    async def test_the_form_needs_its_csrf_token_and_keeps_the_address_when_refused(self, gateway_over, calls):
        identity = identity_answering(calls, 429, refusal("too_many_attempts", "Too many requests; wait."),
                                      {"Retry-After": "60"})
        async with gateway_over(identity=identity) as gw:
            await gw.get("/forgot-password")
            forged = await gw.post("/forgot-password", data={"email": "ada@example.coop", "csrf_token": "forged"})
            refused = await gw.post("/forgot-password", data={"email": "ada@example.coop",
                                                              "csrf_token": gw.cookies["habitat_csrf"]})
        assert forged.status_code == 403 and len(calls) == 1
        assert refused.status_code == 429 and "Too many requests; wait." in refused.text
        assert 'name="email" value="ada@example.coop"' in refused.text

    @pytest.mark.parametrize("path,done", [("/reset-password", "password_set"),
                                           ("/accept-invitation", "invitation_accepted")])
    async def test_a_mailed_link_opens_a_form_that_sets_the_password_then_signs_in(
        self, gateway_over, calls, path, done
    ):
        async with gateway_over(identity=identity_answering(calls)) as gw:
            page = await gw.get(path, params={"token": "abc-DEF_123"})
            assert page.status_code == 200 and page.headers["referrer-policy"] == "no-referrer"
            assert hidden(page.text, "token") == "abc-DEF_123" and f'action="{path}"' in page.text
            assert "<script>" not in page.text and 'style="' not in page.text  # the strict CSP holds
            gw.cookies.set("habitat_refresh", "old-session")
            done_answer = await gw.post(path, data={"token": "abc-DEF_123", "new_password": "quiet river stones",
                                                    "csrf_token": gw.cookies["habitat_csrf"]})
            assert (done_answer.status_code, done_answer.headers["location"]) == (303, f"/login?done={done}")
            assert any(c.startswith("habitat_refresh=") and "Max-Age=0" in c
                       for c in done_answer.headers.get_list("set-cookie"))
            login = await gw.get(done_answer.headers["location"])
        assert 'class="notice"' in login.text and "Sign in with it" in login.text
        assert (calls[0].url.path, sent_json(calls[0])) == (
            f"/auth{path}", {"token": "abc-DEF_123", "new_password": "quiet river stones"})

    async def test_a_refused_password_shows_why_and_keeps_the_link(self, gateway_over, calls):
        identity = identity_answering(calls, 422, refusal("weak_password", "The password is too easy to guess."))
        async with gateway_over(identity=identity) as gw:
            await gw.get("/reset-password", params={"token": "abc"})
            answer = await gw.post("/reset-password", data={"token": "abc", "new_password": "password1234",
                                                            "csrf_token": gw.cookies["habitat_csrf"]})
        assert answer.status_code == 422 and "too easy to guess" in answer.text
        assert hidden(answer.text, "token") == "abc"

    async def test_an_expired_link_says_so_and_offers_a_new_one(self, gateway_over, calls):
        identity = identity_answering(calls, 400, refusal("token_expired", "This link has expired. Ask for a new one."))
        async with gateway_over(identity=identity) as gw:
            await gw.get("/accept-invitation", params={"token": "abc"})
            answer = await gw.post("/accept-invitation", data={"token": "abc", "new_password": "x" * 12,
                                                               "csrf_token": gw.cookies["habitat_csrf"]})
            incomplete = await gw.get("/reset-password")
        assert answer.status_code == 400 and "has expired" in answer.text and 'href="/forgot-password"' in answer.text
        assert incomplete.status_code == 400 and "incomplete" in incomplete.text
        assert 'name="new_password"' not in incomplete.text

    async def test_the_login_page_ignores_an_unknown_notice(self, gateway_over):
        async with gateway_over() as gw:
            page = await gw.get("/login", params={"done": "<script>alert(1)</script>"})
        assert page.status_code == 200 and 'class="notice"' not in page.text and "alert(1)" not in page.text


class TestAdminPages:
    @staticmethod
    def identity_for_members(calls: list[httpx.Request]):
        member = {"id": str(uuid.uuid4()), "email": "new@example.coop", "display_name": "New One", "role": "member",
                  "status": "pending", "joined_at": "2026-01-01", "created_at": "2026-01-01T00:00:00Z",
                  "temporary_password": "temp-pass-123", "invitation_expires_at": "2026-01-08T00:00:00Z"}

        def answer(request: httpx.Request) -> httpx.Response:
            calls.append(request)
            if request.method == "GET":
                return httpx.Response(200, json={"items": [member], "total": 1})
            if request.url.path.endswith("/invitation"):
                return httpx.Response(201, json={"member_id": member["id"], "expires_at": "2026-01-08T00:00:00Z"})
            return httpx.Response(201, json=member)

        return answer, member

    async def test_creating_a_member_mails_an_invitation_unless_unticked(self, gateway_over, calls, keys):
        identity, _ = self.identity_for_members(calls)
        async with gateway_over(identity=identity) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "admin"))
            page = await gw.get("/admin/members")
            assert 'name="send_invitation" value="yes" checked' in page.text
            form = {"email": "new@example.coop", "display_name": "New One", "role": "member",
                    "csrf_token": gw.cookies["habitat_csrf"]}
            invited = await gw.post("/admin/members", data=form | {"send_invitation": "yes"})
            in_person = await gw.post("/admin/members", data=form)
        posted = [sent_json(c) for c in calls if c.method == "POST"]
        assert [p["send_invitation"] for p in posted] == [True, False]
        assert "is mailed to them" in invited.text and "temp-pass-123" in in_person.text

    async def test_a_pending_member_can_be_invited_again(self, gateway_over, calls, keys):
        identity, member = self.identity_for_members(calls)
        async with gateway_over(identity=identity) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "admin"))
            page = await gw.get("/admin/members")
            assert f'action="/admin/members/{member["id"]}/invitation"' in page.text
            again = await gw.post(f"/admin/members/{member['id']}/invitation",
                                  data={"csrf_token": gw.cookies["habitat_csrf"]})
        assert again.status_code == 200 and 'id="invited"' in again.text
        assert [c.url.path for c in calls if c.method == "POST"] == [f"/members/{member['id']}/invitation"]
