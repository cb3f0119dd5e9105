"""The notifications routes through the gateway: who may call each, what reaches the service, what comes back."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

MEMBER = uuid.uuid4()
MESSAGE_ID = uuid.uuid4()
PREFERENCES = {"member_id": str(MEMBER), "decisions": False, "reminders": True, "security": True,
               "updated_at": "2026-12-04T10:00:00Z"}
MESSAGE = {
    "id": str(MESSAGE_ID), "kind": "contribution_rejected", "recipient_id": str(MEMBER),
    "recipient_email": "ada@example.coop", "subject": "Your contribution was not approved", "status": "queued",
    "attempts": 0, "next_attempt_at": "2026-12-04T10:00:00Z", "last_error": None,
    "source_event_id": str(uuid.uuid4()), "created_at": "2026-12-04T09:00:00Z", "sent_at": None,
    "resend_count": 1, "resent_at": "2026-12-04T10:00:00Z", "resent_by": str(uuid.uuid4()),
}


@pytest.fixture
def calls() -> list[httpx.Request]:
    return []


def answering(calls: list[httpx.Request], status: int, body: dict):
    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(status, json=body)

    return answer


def bearer(keys, role: str, member_id: uuid.UUID = MEMBER) -> dict:
    return {"Authorization": f"Bearer {keys.mint(member_id, role)}"}


class TestPreferences:
    async def test_a_member_reads_and_sets_their_own(self, gateway_over, keys, calls):
        async with gateway_over(notifications=answering(calls, 200, PREFERENCES)) as gw:
            read = await gw.get("/api/v1/notifications/preferences/me", headers=bearer(keys, "member"))
            chosen = await gw.put("/api/v1/notifications/preferences/me", headers=bearer(keys, "member"),
                                  json={"decisions": False, "reminders": True})
        assert read.status_code == chosen.status_code == 200 and chosen.json() == PREFERENCES
        assert [(c.method, c.url.path) for c in calls] == [
            ("GET", "/notifications/preferences/me"), ("PUT", "/notifications/preferences/me")]
        assert json.loads(calls[1].read()) == {"decisions": False, "reminders": True}
        assert calls[1].headers["authorization"].startswith("Bearer ")

    @pytest.mark.parametrize("body", [
        {"decisions": False}, {"decisions": "maybe", "reminders": True}, {"decisions": True, "reminders": True,
                                                                         "security": False}])
    async def test_a_body_that_is_not_both_switches_is_refused_before_the_service(self, gateway_over, keys, calls,
                                                                                    body):
        async with gateway_over(notifications=answering(calls, 200, PREFERENCES)) as gw:
            answer = await gw.put("/api/v1/notifications/preferences/me", headers=bearer(keys, "member"), json=body)
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid_request"
        assert calls == []

    async def test_anonymous_is_refused(self, gateway_over, calls):
        async with gateway_over(notifications=answering(calls, 200, PREFERENCES)) as gw:
            answer = await gw.get("/api/v1/notifications/preferences/me")
        assert answer.status_code == 401 and calls == []


class TestAdminMail:
    async def test_the_log_passes_its_filters_and_cursor_on(self, gateway_over, keys, calls):
        page = {"items": [MESSAGE], "next_cursor": "abc"}
        async with gateway_over(notifications=answering(calls, 200, page)) as gw:
            answer = await gw.get("/api/v1/notifications/messages", headers=bearer(keys, "admin"),
                                  params={"status": "failed", "recipient_id": str(MEMBER), "after": "xyz",
                                          "limit": 10})
        assert answer.status_code == 200 and answer.json() == page
        [call] = calls
        assert dict(call.url.params) == {"status": "failed", "recipient_id": str(MEMBER), "after": "xyz",
                                         "limit": "10"}

    async def test_unset_filters_are_not_sent(self, gateway_over, keys, calls):
        async with gateway_over(notifications=answering(calls, 200, {"items": [], "next_cursor": None})) as gw:
            await gw.get("/api/v1/notifications/messages", headers=bearer(keys, "admin"))
        assert dict(calls[0].url.params) == {"limit": "50"}

    async def test_an_unknown_status_is_refused(self, gateway_over, keys, calls):
        async with gateway_over(notifications=answering(calls, 200, {})) as gw:
            answer = await gw.get("/api/v1/notifications/messages?status=lost", headers=bearer(keys, "admin"))
        assert answer.status_code == 422 and calls == []

    async def test_resend_answers_the_message_and_passes_refusals_on(self, gateway_over, keys, calls):
        async with gateway_over(notifications=answering(calls, 200, MESSAGE)) as gw:
            answer = await gw.post(f"/api/v1/notifications/messages/{MESSAGE_ID}/resend",
                                   headers=bearer(keys, "admin"))
        assert answer.status_code == 200 and answer.json()["resend_count"] == 1
        refusal = {"error": {"code": "not_resendable", "message": "Only failed or bounced mail is resent."}}
        async with gateway_over(notifications=answering([], 409, refusal)) as gw:
            answer = await gw.post(f"/api/v1/notifications/messages/{MESSAGE_ID}/resend",
                                   headers=bearer(keys, "admin"))
        assert (answer.status_code, answer.json()) == (409, refusal)

    @pytest.mark.parametrize("role", ["member", "steward"])
    async def test_only_admins_see_the_log_resend_or_run(self, gateway_over, keys, calls, role):
        async with gateway_over(notifications=answering(calls, 200, {})) as gw:
            answers = [
                await gw.get("/api/v1/notifications/messages", headers=bearer(keys, role)),
                await gw.post(f"/api/v1/notifications/messages/{MESSAGE_ID}/resend", headers=bearer(keys, role)),
                await gw.post("/api/v1/notifications/runs", headers=bearer(keys, role),
                              json={"kind": "weekly_reminder"}),
            ]
        assert [a.status_code for a in answers] == [403, 403, 403] and calls == []


class TestRuns:
    async def test_an_admin_runs_a_reminder(self, gateway_over, keys, calls):
        outcome = {"kind": "final_week", "key": "final_week:2026-Q4", "ran": True, "mailed": 3}
        async with gateway_over(notifications=answering(calls, 200, outcome)) as gw:
            answer = await gw.post("/api/v1/notifications/runs", headers=bearer(keys, "admin"),
                                   json={"kind": "final_week"})
        assert (answer.status_code, answer.json()) == (200, outcome)
        assert json.loads(calls[0].read()) == {"kind": "final_week"}

    @pytest.mark.parametrize("body", [{}, {"kind": "monthly"}, {"kind": "weekly_reminder", "extra": 1}])
    async def test_an_unknown_kind_is_refused(self, gateway_over, keys, calls, body):
        async with gateway_over(notifications=answering(calls, 200, {})) as gw:
            answer = await gw.post("/api/v1/notifications/runs", headers=bearer(keys, "admin"), json=body)
        assert answer.status_code == 422 and calls == []


async def test_mail_down_does_not_make_the_gateway_unready(gateway_over):
    def alive(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"status": "ok"})

    def down(_: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    async with gateway_over(identity=alive, contributions=alive, ledger=alive, notifications=down) as gw:
        answer = await gw.get("/readyz")
    assert answer.status_code == 200
