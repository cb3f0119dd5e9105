"""Signing in through the gateway: the caller's address (from trusted proxies only) and the device cookie
travel to identity, and the device cookie identity issues comes back to the caller."""

from __future__ import annotations

import uuid

import aiohttp
import httpx
import pytest
from habitat_gateway.clients.transport import AiohttpTransport

TOKENS = {"access_token": "a", "refresh_token": "r", "token_type": "bearer", "expires_in": 900,
          "must_change_password": False}
DEVICE = "v1.1764694800.nonce.signature"


@pytest.fixture
def identity_calls():
    return []


@pytest.fixture
def identity(identity_calls):
    def answer(request: httpx.Request) -> httpx.Response:
        identity_calls.append(request)
        cookie = f"habitat_device={DEVICE}; HttpOnly; Max-Age=15552000; Path=/auth; SameSite=strict"
        return httpx.Response(200, json=TOKENS, headers={"Set-Cookie": cookie})

    return answer


def from_peer(client: httpx.AsyncClient, peer: str) -> httpx.AsyncClient:
    app = client._transport.app  # type: ignore[attr-defined]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app, client=(peer, 50000)), base_url="http://gw")


async def ui_sign_in(client: httpx.AsyncClient, **headers: str) -> httpx.Response:
    await client.get("/login")
    form = {"email": "ada@example.coop", "password": "pw", "csrf_token": client.cookies["habitat_csrf"]}
    return await client.post("/login", data=form, headers=headers)


class TestDeviceCookie:
    async def test_the_ui_sign_in_carries_the_device_cookie_both_ways(self, gateway_over, identity, identity_calls):
        async with gateway_over(identity=identity) as client:
            client.cookies.set("habitat_device", "v1.1.old.sig")
            answer = await ui_sign_in(client)
        assert answer.status_code == 303
        assert identity_calls[0].headers["cookie"] == "habitat_device=v1.1.old.sig"
        set_cookie = [v for v in answer.headers.get_list("set-cookie") if v.startswith("habitat_device=")]
        assert set_cookie and f"habitat_device={DEVICE}" in set_cookie[0]
        assert "HttpOnly" in set_cookie[0] and "SameSite=strict" in set_cookie[0] and "Path=/" in set_cookie[0]

    async def test_the_api_sign_in_sets_it_too(self, gateway_over, identity, identity_calls):
        async with gateway_over(identity=identity) as client:
            first = await client.post("/api/v1/auth/login", json={"email": "ada@example.coop", "password": "pw"})
            assert first.status_code == 200 and first.cookies["habitat_device"] == DEVICE
            await client.post("/api/v1/auth/login", json={"email": "ada@example.coop", "password": "pw"})
        assert "cookie" not in identity_calls[0].headers
        assert identity_calls[1].headers["cookie"] == f"habitat_device={DEVICE}"

    async def test_the_pooled_upstream_session_never_keeps_a_services_cookies(self):
        transport = AiohttpTransport("http://identity:8101", timeout=1, max_connections=1)
        try:
            assert isinstance(transport._client().cookie_jar, aiohttp.DummyCookieJar)
        finally:
            await transport.close()


class TestClientAddress:
    async def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(
        self, gateway_over, identity, identity_calls
    ):
        async with gateway_over(identity=identity) as client, from_peer(client, "203.0.113.5") as direct:
            await direct.post("/api/v1/auth/login", json={"email": "a@b.coop", "password": "pw"},
                              headers={"X-Forwarded-For": "192.0.2.1"})
            await ui_sign_in(direct, **{"X-Forwarded-For": "192.0.2.2"})
        assert [call.headers["x-forwarded-for"] for call in identity_calls] == ["203.0.113.5", "203.0.113.5"]

    async def test_caddy_s_forwarded_for_is_believed(self, gateway_over, identity, identity_calls):
        # the test client's peer is 127.0.0.1: Caddy on the same host, the default trusted proxy
        async with gateway_over(identity=identity) as client:
            await client.post("/api/v1/auth/login", json={"email": "a@b.coop", "password": "pw"},
                              headers={"X-Forwarded-For": "10.0.0.9, 198.51.100.7"})
        assert identity_calls[0].headers["x-forwarded-for"] == "198.51.100.7"


class TestNewTemporaryPasswordButton:
    async def test_an_admin_gives_a_member_a_new_temporary_password_from_the_members_page(self, gateway_over, keys):
        member = {"id": "7b0c54a2-3f43-4cb6-9a4e-8d2d7a3f6c11", "email": "ada@example.coop", "display_name": "Ada",
                  "role": "member", "status": "pending", "joined_at": "2026-01-01"}
        calls = []

        def identity(request: httpx.Request) -> httpx.Response:
            calls.append((request.method, request.url.path))
            if request.url.path.endswith("/temporary-password"):
                return httpx.Response(200, json={**member, "temporary_password": "Fresh-Temp_123"})
            return httpx.Response(200, json={"items": [member], "total": 1})

        async with gateway_over(identity=identity) as client:
            client.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "admin"))
            client.cookies.set("habitat_csrf", "c1")
            page = await client.get("/admin/members")
            assert f'action="/admin/members/{member["id"]}/temporary-password"' in page.text
            answer = await client.post(f"/admin/members/{member['id']}/temporary-password", data={"csrf_token": "c1"})
            refused = await client.post(f"/admin/members/{member['id']}/temporary-password", data={})
        assert answer.status_code == 200 and "Fresh-Temp_123" in answer.text
        assert ("POST", f"/members/{member['id']}/temporary-password") in calls
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "csrf_failed")
        assert calls.count(("POST", f"/members/{member['id']}/temporary-password")) == 1
