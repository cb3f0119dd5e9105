"""Issue 13 through the gateway: web UI sessions, refresh cookies that end with them, no-store, readiness."""

from __future__ import annotations

import json
import uuid

import httpx
from habitat_common.settings import AuthSettings
from habitat_common.testing import LocalKeys
from habitat_gateway.app import create_app
from habitat_gateway.clients.transport import HttpxTransport
from habitat_gateway.clients.upstream import ServiceClient, Services
from habitat_gateway.config import GatewaySettings

MEMBER_ID = uuid.uuid4()


def identity_answering(keys: LocalKeys, seen: list[dict]):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path in ("/auth/login", "/auth/password"):
            seen.append(json.loads(request.content))
            return httpx.Response(200, json={
                "access_token": keys.mint(MEMBER_ID), "refresh_token": "r-1", "token_type": "bearer",
                "expires_in": 900, "must_change_password": False, "refresh_expires_in": 1800,
            })
        if request.url.path == "/me":
            return httpx.Response(200, json={"id": str(MEMBER_ID), "email": "a@b.coop"})
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "nope"}})

    return handler


def dashboard(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"items": [], "total": 0})


class TestWebSessions:
    async def test_the_ui_signs_in_for_a_web_session_and_its_refresh_cookie_ends_with_it(self, gateway_over, keys):
        seen: list[dict] = []
        async with gateway_over(identity=identity_answering(keys, seen)) as client:
            client.cookies.set("habitat_csrf", "c1")
            response = await client.post("/login", data={"email": "a@b.coop", "password": "pw", "csrf_token": "c1"})
        assert response.status_code == 303
        assert seen[0]["session"] == "web"
        refresh_cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("habitat_refresh="))
        assert "Max-Age=1800" in refresh_cookie
        assert response.headers["cache-control"] == "no-store"  # carries tokens in Set-Cookie

    async def test_api_sign_in_stays_an_api_session(self, gateway_over, keys):
        seen: list[dict] = []
        async with gateway_over(identity=identity_answering(keys, seen)) as client:
            response = await client.post("/api/v1/auth/login", json={"email": "a@b.coop", "password": "pw"})
        assert response.status_code == 200 and seen[0]["session"] == "api"
        assert response.json()["refresh_expires_in"] == 1800
        assert response.headers["cache-control"] == "no-store"


class TestNoStore:
    async def test_authenticated_api_answers_and_ui_pages_are_no_store_static_files_are_not(self, gateway_over, keys):
        seen: list[dict] = []
        async with gateway_over(identity=identity_answering(keys, seen), contributions=dashboard) as client:
            headers = {"Authorization": f"Bearer {keys.mint(MEMBER_ID)}"}
            client.cookies.set("habitat_access", keys.mint(MEMBER_ID))
            answers = {
                "api": await client.get("/api/v1/contributions", headers=headers),
                "refused": await client.get("/api/v1/contributions"),
                "profile page": await client.get("/profile"),
                "sign-in page": await client.get("/login"),
            }
            css = await client.get("/static/app.css")
        for name, response in answers.items():
            assert response.headers.get("cache-control") == "no-store", (name, response.status_code)
        assert answers["api"].status_code == 200 and answers["profile page"].status_code == 200
        assert css.status_code == 200 and "no-store" not in css.headers.get("cache-control", "")


class TestReadiness:
    async def test_not_ready_until_the_revocation_feed_has_answered(self):
        def service(name: str) -> ServiceClient:
            mock = httpx.AsyncClient(base_url=f"http://{name}", transport=httpx.MockTransport(
                lambda _: httpx.Response(200, json={"status": "alive"})))
            return ServiceClient(name, f"http://{name}", timeout=5, max_connections=5, transport=HttpxTransport(mock))

        settings = GatewaySettings(auth=AuthSettings(revocations_url="http://identity/auth/revocations"))
        app = create_app(settings, services=Services(service("identity"), service("contributions"), service("ledger"), service("notifications")))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as client:
            response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"] == {"services": True, "revocations": False}
