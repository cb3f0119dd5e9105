"""Nothing stranded at close: the gateway refuses to start a close while contributions of the period are
undecided, and the pre-close report (API and close wizard) lists them first."""

from __future__ import annotations

import uuid

import httpx
import pytest
from habitat_common.auth import TokenVerifier
from habitat_common.settings import AuthSettings
from habitat_common.testing import LocalKeys
from habitat_gateway.app import create_app
from habitat_gateway.clients.transport import HttpxTransport
from habitat_gateway.clients.upstream import ServiceClient, Services
from habitat_gateway.config import GatewaySettings

ADMIN_ID, BOB = uuid.uuid4(), uuid.uuid4()
PERIOD = uuid.uuid4()
PENDING = {
    "id": str(uuid.uuid4()), "member_id": str(BOB), "member_name": "Bob", "type": "labor", "status": "pending",
    "contributed_on": "2026-03-02", "value": "200.00", "submitted_at": "2026-03-02T10:00:00Z",
    "description": "Fixed the <gate> latch",
}
QUESTIONED = PENDING | {"id": str(uuid.uuid4()), "status": "clarification_requested", "type": "capital",
                        "value": "50.00", "submitted_at": "2026-03-01T10:00:00Z"}
PERIOD_BODY = {"id": str(PERIOD), "name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31",
               "status": "open", "created_at": "2026-01-01T00:00:00Z"}


class Upstream:
    def __init__(self, undecided: list[dict]) -> None:
        self.undecided = undecided
        self.calls: list[str] = []

    def handler(self, service: str):
        def handle(request: httpx.Request) -> httpx.Response:
            path, params = request.url.path, request.url.params
            self.calls.append(f"{service} {request.method} {path}")
            if service == "contributions" and path == "/review-queue":
                assert params["period_id"] == str(PERIOD)
                found = [c for c in self.undecided if c["status"] == params["status"]]
                return httpx.Response(200, json={"items": found, "total": len(found)})
            if service == "ledger" and path == f"/periods/{PERIOD}/pre-close":
                return httpx.Response(200, json={"period": PERIOD_BODY, "members_with_patronage": 1, "approved_count": 3,
                                                 "approved_value_by_type": {}, "sealed": {"received": False},
                                                 "unapplied_events": 0})
            if service == "ledger" and path == f"/periods/{PERIOD}/close":
                return httpx.Response(200, json=PERIOD_BODY | {"status": "closing"})
            if service == "ledger" and path == f"/periods/{PERIOD}":
                return httpx.Response(200, json=PERIOD_BODY)
            if service == "ledger" and path.endswith("/draft-allocation"):
                return httpx.Response(409, json={"error": {"code": "no_patronage", "message": "none"}})
            if service == "ledger" and path.endswith("/allocations"):
                return httpx.Response(200, json={"items": []})
            return httpx.Response(404, json={"error": {"code": "not_found", "message": "nope"}})

        return handle


@pytest.fixture
def keys() -> LocalKeys:
    return LocalKeys()


async def gateway(keys: LocalKeys, upstream: Upstream) -> httpx.AsyncClient:
    def service(name: str) -> ServiceClient:
        mock = httpx.AsyncClient(base_url=f"http://{name}", transport=httpx.MockTransport(upstream.handler(name)))
        return ServiceClient(name, f"http://{name}", timeout=5, max_connections=5, transport=HttpxTransport(mock))

    services = Services(service("identity"), service("contributions"), service("ledger"), service("notifications"))
    app = create_app(GatewaySettings(cookie_secure=False), TokenVerifier(AuthSettings(), keys), services)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw")


def admin(keys: LocalKeys) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.mint(ADMIN_ID, 'admin')}"}


class TestStartClose:
    async def test_refused_with_the_undecided_contributions_listed(self, keys) -> None:
        upstream = Upstream([PENDING, QUESTIONED])
        async with await gateway(keys, upstream) as client:
            response = await client.post(f"/api/v1/periods/{PERIOD}/close", headers=admin(keys))
        assert response.status_code == 409
        body = response.json()
        assert body["error"]["code"] == "pending_contributions"
        assert "2 contributions" in body["error"]["message"]
        assert body["pending_count"] == 2
        assert [(c["id"], c["status"]) for c in body["pending_contributions"]] == [
            (QUESTIONED["id"], "clarification_requested"), (PENDING["id"], "pending")]  # oldest first
        assert set(body["pending_contributions"][0]) == {
            "id", "member_id", "member_name", "type", "status", "contributed_on", "value", "description"}
        assert f"ledger POST /periods/{PERIOD}/close" not in upstream.calls

    async def test_goes_through_when_everything_is_decided(self, keys) -> None:
        upstream = Upstream([])
        async with await gateway(keys, upstream) as client:
            response = await client.post(f"/api/v1/periods/{PERIOD}/close", headers=admin(keys))
        assert (response.status_code, response.json()["status"]) == (200, "closing")


class TestPreCloseReport:
    async def test_lists_the_undecided_contributions_first(self, keys) -> None:
        async with await gateway(keys, Upstream([PENDING])) as client:
            response = await client.get(f"/api/v1/periods/{PERIOD}/pre-close", headers=admin(keys))
        assert response.status_code == 200, response.text
        report = response.json()
        assert list(report)[:2] == ["pending_contributions", "pending_count"]
        assert report["pending_count"] == 1
        assert report["pending_contributions"][0] == {
            key: PENDING[key]
            for key in ("id", "member_id", "member_name", "type", "status", "contributed_on", "value", "description")
        }
        assert report["approved_count"] == 3

    def test_the_openapi_schema_documents_the_list(self) -> None:
        app = create_app(GatewaySettings(cookie_secure=False), TokenVerifier(AuthSettings(), LocalKeys()))
        schemas = app.openapi()["components"]["schemas"]
        fields = schemas["PreCloseReport"]["properties"]
        assert fields["pending_contributions"]["type"] == "array" and "pending_count" in fields
        assert set(schemas["UndecidedContribution"]["required"]) >= {"id", "member_id", "status", "contributed_on"}

    async def test_the_close_wizard_shows_them_above_everything_else(self, keys) -> None:
        async with await gateway(keys, Upstream([PENDING])) as client:
            client.cookies.set("habitat_access", keys.mint(ADMIN_ID, "admin"))
            response = await client.get(f"/periods/{PERIOD}")
        assert response.status_code == 200, response.text
        page = response.text
        assert page.index('id="undecided"') < page.index('id="draft-form"') < page.index('id="pre-close"')
        assert PENDING["id"] in page and "Bob" in page and "Undecided contributions: 1" in page
        assert f'<a href="/contributions/{PENDING["id"]}">Fixed the &lt;gate&gt; latch</a>' in page
