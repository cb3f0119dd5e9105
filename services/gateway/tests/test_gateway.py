"""The gateway on its own: token checks, role rules, upstream errors, aggregation, CSRF."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import httpx
import pytest
from habitat_common.auth import TokenVerifier
from habitat_common.settings import AuthSettings
from habitat_common.testing import LocalKeys
from habitat_gateway.app import create_app
from habitat_gateway.clients.transport import HttpxTransport
from habitat_gateway.clients.upstream import ServiceClient, Services
from habitat_gateway.config import GatewaySettings

MEMBER_ID = uuid.uuid4()


class FakeUpstream:
    """Records calls and answers like the services would."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str | None]] = []
        self.uploads: list[bytes] = []
        self.integrity: dict[str, dict] = {}

    def handler(self, service: str):
        def handle(request: httpx.Request) -> httpx.Response:
            self.calls.append((service, f"{request.method} {request.url.path}", request.headers.get("authorization")))
            path = request.url.path
            if service == "identity" and path == "/me":
                return httpx.Response(200, json={
                    "id": str(MEMBER_ID), "email": "m@x.coop", "display_name": "M", "role": "member",
                    "status": "active", "joined_at": "2026-01-01", "created_at": "2026-01-01T00:00:00Z"})
            if service == "ledger" and path.endswith("/statement"):
                return httpx.Response(200, json={"member_id": str(MEMBER_ID), "lines": [], "book_balance": "500.00",
                                                 "tax_balance": "400.00"})
            if service == "ledger" and path.startswith("/capital-accounts/"):
                return httpx.Response(200, json={"member_id": str(MEMBER_ID), "book_balance": "500.00",
                                                 "tax_balance": "400.00", "as_of": None})
            if service == "contributions" and path == "/contributions":
                return httpx.Response(200, json={"items": []})
            if service == "contributions" and path == f"/members/{MEMBER_ID}/patronage":
                return httpx.Response(200, json={"member_id": str(MEMBER_ID), "on": "2026-03-01", "period": None,
                                                 "approved": {}, "awaiting_review": {}})
            if service == "contributions" and path == "/imports/contributions":
                self.uploads.append(request.content)
                if b"bad" in request.content:
                    return httpx.Response(422, json={"error": {
                        "code": "invalid_csv", "message": "1 problems in the format pass; nothing was written.",
                        "pass": "format", "error_count": 1,
                        "errors": [{"line": 2, "column": 4, "field": "type", "code": "bad_enum", "message": "No."}]}})
                return httpx.Response(200, json={"dry_run": True, "import_id": None, "summary": {"rows": 1}})
            if path == "/integrity":
                return httpx.Response(200, json=self.integrity[service])
            if service == "contributions" and path.endswith("/approve"):
                return httpx.Response(403, json={"error": {"code": "self_review", "message": "Not your own."}})
            return httpx.Response(404, json={"error": {"code": "not_found", "message": "nope"}})

        return handle


@pytest.fixture
def keys() -> LocalKeys:
    return LocalKeys()


@pytest.fixture
def upstream() -> FakeUpstream:
    return FakeUpstream()


@pytest.fixture
async def client(keys: LocalKeys, upstream: FakeUpstream):
    def service(name: str) -> ServiceClient:
        mock = httpx.AsyncClient(base_url=f"http://{name}", transport=httpx.MockTransport(upstream.handler(name)))
        return ServiceClient(name, f"http://{name}", timeout=5, max_connections=5, transport=HttpxTransport(mock))

    services = Services(service("identity"), service("contributions"), service("ledger"), service("notifications"))
    app = create_app(GatewaySettings(cookie_secure=False), TokenVerifier(AuthSettings(), keys), services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestTokenChecks:
    async def test_missing_expired_and_foreign_tokens_are_refused_before_any_upstream_call(
        self, client, keys: LocalKeys, upstream: FakeUpstream
    ) -> None:
        bad = [keys.mint(MEMBER_ID, expires_in=timedelta(seconds=-5)), LocalKeys().mint(MEMBER_ID),
               LocalKeys(kid=keys.kid).mint(MEMBER_ID)]
        assert (await client.get("/api/v1/me/dashboard")).status_code == 401
        for token in bad:
            response = await client.get("/api/v1/me/dashboard", headers=bearer(token))
            assert response.status_code == 401
            assert response.json() == {"error": {"code": "unauthorized", "message": "A valid access token is required."}}
        assert upstream.calls == []

    async def test_temporary_password_token_may_only_change_password(self, client, keys: LocalKeys) -> None:
        token = keys.mint(MEMBER_ID, must_change_password=True)
        response = await client.get("/api/v1/me/dashboard", headers=bearer(token))
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "password_change_required"
        assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 200


class TestRoles:
    @pytest.mark.parametrize("method,path", [
        ("POST", "/api/v1/members"), ("POST", "/api/v1/periods"), ("GET", "/api/v1/review-queue"),
        ("GET", "/api/v1/members"), ("POST", f"/api/v1/contributions/{uuid.uuid4()}/approve"),
    ])
    async def test_member_is_forbidden_from_privileged_operations(
        self, client, keys: LocalKeys, upstream: FakeUpstream, method: str, path: str
    ) -> None:
        response = await client.request(method, path, headers=bearer(keys.mint(MEMBER_ID)), json={})
        assert response.status_code == 403
        assert upstream.calls == []


class TestForwarding:
    async def test_dashboard_joins_three_services_and_forwards_the_token(
        self, client, keys: LocalKeys, upstream: FakeUpstream
    ) -> None:
        token = keys.mint(MEMBER_ID)
        response = await client.get("/api/v1/me/dashboard", headers=bearer(token))
        assert response.status_code == 200
        body = response.json()
        assert body["capital_account"]["book_balance"] == "500.00"
        assert body["capital_account"]["tax_balance"] == "400.00"
        assert {call[0] for call in upstream.calls} == {"identity", "ledger", "contributions"}
        assert all(call[2] == f"Bearer {token}" for call in upstream.calls)

    async def test_service_errors_pass_through_with_code_and_sentence(self, client, keys: LocalKeys) -> None:
        token = keys.mint(MEMBER_ID, role="steward")
        response = await client.post(f"/api/v1/contributions/{uuid.uuid4()}/approve", headers=bearer(token), json={})
        assert response.status_code == 403
        assert response.json() == {"error": {"code": "self_review", "message": "Not your own."}}

    async def test_bad_body_is_a_422_with_a_sentence(self, client, keys: LocalKeys) -> None:
        token = keys.mint(MEMBER_ID)
        response = await client.post("/api/v1/contributions", headers=bearer(token), json={"type": "gift"})
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_request"


class TestWebForms:
    async def test_sign_in_post_without_csrf_token_is_refused(self, client) -> None:
        page = await client.get("/login")
        assert page.status_code == 200 and "csrf_token" in page.text
        response = await client.post("/login", data={"email": "a@b.coop", "password": "x"})
        assert (response.status_code, response.json()["error"]["code"]) == (403, "csrf_failed")

    async def test_dashboard_without_session_redirects_to_sign_in(self, client) -> None:
        response = await client.get("/dashboard")
        assert response.status_code == 303
        assert response.headers["location"] == "/login"


class TestImports:
    async def test_the_file_is_streamed_through_and_the_answer_passed_on(self, client, keys, upstream) -> None:
        token = keys.mint(MEMBER_ID, role="admin")

        async def chunks():
            for part in (b"reference,member_email\n", b"Q1-1,ada@x.coop\n"):
                yield part

        response = await client.post("/api/v1/imports/contributions", params={"dry_run": "true"}, content=chunks(),
                                     headers={**bearer(token), "Content-Type": "text/csv"})
        assert (response.status_code, response.json()["summary"]) == (200, {"rows": 1})
        assert upstream.uploads == [b"reference,member_email\nQ1-1,ada@x.coop\n"]

    async def test_line_errors_come_up_beside_the_code(self, client, keys) -> None:
        token = keys.mint(MEMBER_ID, role="admin")
        response = await client.post("/api/v1/imports/contributions", content=b"bad",
                                     headers={**bearer(token), "Content-Type": "text/csv"})
        body = response.json()
        assert (response.status_code, body["error"]["code"], body["pass"], body["error_count"]) == (
            422, "invalid_csv", "format", 1)
        assert body["errors"][0] == {"line": 2, "column": 4, "field": "type", "code": "bad_enum", "message": "No."}

    async def test_only_admins_import(self, client, keys, upstream) -> None:
        token = keys.mint(MEMBER_ID, role="steward")
        for path in ("/api/v1/imports/contributions", "/api/v1/imports/capital-accounts"):
            assert (await client.post(path, content=b"x", headers=bearer(token))).status_code == 403
        assert upstream.uploads == []


def check(name: str, failures: int = 0) -> dict:
    return {"name": name, "description": name, "passed": failures == 0, "failures": failures, "examples": []}


class TestIntegrity:
    async def test_every_service_and_the_reconciliation_are_reported(self, client, keys, upstream) -> None:
        member = str(uuid.uuid4())
        totals = {"member_id": member, "count": 2, "value": "30.00", "book_amount": "10.00", "tax_amount": "10.00"}
        upstream.integrity = {
            "identity": {"service": "identity", "checks": [check("valid_emails")]},
            "contributions": {"service": "contributions", "checks": [check("positive_amounts")],
                              "approved_totals": [totals]},
            "ledger": {"service": "ledger", "checks": [check("transactions_balance")],
                       "contribution_totals": [{**totals, "tax_amount": "10"}]},
        }
        token = keys.mint(MEMBER_ID, role="admin")
        report = (await client.get("/api/v1/integrity", headers=bearer(token))).json()
        assert report["passed"] is True
        assert [(c["service"], c["name"]) for c in report["checks"]] == [
            ("identity", "valid_emails"), ("contributions", "positive_amounts"), ("ledger", "transactions_balance"),
            ("cross-service", "ledger_matches_contributions"),
        ]
        upstream.integrity["ledger"]["contribution_totals"] = [{**totals, "book_amount": "9.99"}]
        report = (await client.get("/api/v1/integrity", headers=bearer(token))).json()
        assert report["passed"] is False
        assert report["checks"][-1]["examples"] == [f"{member} book_amount: contributions 10.00, ledger 9.99"]


def test_openapi_documents_the_contract_paths() -> None:
    paths = create_app(GatewaySettings()).openapi()["paths"]
    for path in ("/api/v1/auth/login", "/api/v1/me/dashboard", "/api/v1/members/{member_id}",
                 "/api/v1/contributions/{contribution_id}/approve", "/api/v1/review-queue",
                 "/api/v1/imports/capital-accounts", "/api/v1/imports/contributions"):
        assert path in paths
    schema = json.dumps(paths["/api/v1/contributions"]["post"])
    assert "SubmitContributionRequest" in schema


class TestAiohttpTransport:
    async def test_unreachable_service_is_a_503_with_a_sentence(self) -> None:
        client = ServiceClient("ledger", "http://127.0.0.1:9", timeout=2, max_connections=2)
        with pytest.raises(Exception) as raised:
            await client.request("GET", "/periods")
        await client.close()
        assert raised.value.status == 503
        assert raised.value.code == "service_unavailable"
