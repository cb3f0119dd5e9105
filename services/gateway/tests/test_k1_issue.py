"""POST /api/v1/exports/k1/{year}/issue: admins only, forwarded to the ledger, its refusals passed on."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from habitat_gateway.app import create_app
from habitat_gateway.config import GatewaySettings

ADMIN_ID, MEMBER_ID = uuid.uuid4(), uuid.uuid4()
ISSUED = {
    "year": 2026, "issued_at": "2027-01-20T10:00:00Z", "issued_by": str(ADMIN_ID), "members": 1,
    "endings": [{"member_id": str(MEMBER_ID), "tax_ending": "1200.00", "book_ending": "2000.00",
                 "section_704c_gain_ending": "800.00"}],
}


class Ledger:
    """Answers like the ledger: issues 2026 once, then refuses with what was issued."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((f"{request.method} {request.url.path}", request.headers.get("authorization")))
        if request.url.path == "/exports/k1/2026/issue" and len(self.calls) == 1:
            return httpx.Response(201, json=ISSUED)
        return httpx.Response(409, json={"error": {
            "code": "k1_already_issued", "message": "The K-1s of 2026 were issued already.", "issued": ISSUED}})


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


@pytest.fixture
async def client(gateway_over, ledger: Ledger):
    async with gateway_over(ledger=ledger.handle) as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestIssueK1:
    async def test_an_admin_issues_through_the_ledger_and_a_second_time_gets_what_was_issued(
        self, client, keys, ledger
    ) -> None:
        token = keys.mint(ADMIN_ID, "admin")
        response = await client.post("/api/v1/exports/k1/2026/issue", headers=bearer(token))
        assert (response.status_code, response.json()) == (201, ISSUED)
        assert ledger.calls == [("POST /exports/k1/2026/issue", f"Bearer {token}")]
        again = await client.post("/api/v1/exports/k1/2026/issue", headers=bearer(token))
        assert again.status_code == 409
        body = again.json()  # the ledger's details come up beside the code, as for every service error
        assert (body["error"]["code"], body["issued"]) == ("k1_already_issued", ISSUED)

    @pytest.mark.parametrize("role", ["member", "steward"])
    async def test_only_admins_issue(self, client, keys, ledger, role) -> None:
        response = await client.post("/api/v1/exports/k1/2026/issue", headers=bearer(keys.mint(MEMBER_ID, role)))
        assert response.status_code == 403
        assert ledger.calls == []

    async def test_a_year_out_of_range_never_reaches_the_ledger(self, client, keys, ledger) -> None:
        response = await client.post("/api/v1/exports/k1/99999/issue", headers=bearer(keys.mint(ADMIN_ID, "admin")))
        assert response.status_code == 422
        assert ledger.calls == []


def test_openapi_documents_the_issue_path_and_its_body() -> None:
    paths = create_app(GatewaySettings()).openapi()["paths"]
    operation = paths["/api/v1/exports/k1/{year}/issue"]["post"]
    assert "K1Issue" in json.dumps(operation["responses"]["201"])
    assert {"409", "422"} <= set(operation["responses"])


def signed_in(client: httpx.AsyncClient, token: str) -> None:
    """A browser session: the access token and the form token's cookie."""
    client.cookies.set("habitat_access", token)
    client.cookies.set("habitat_csrf", "c1")


class TestExportsPage:
    async def test_an_admin_issues_from_the_exports_page_and_sees_a_refusal_there(self, client, keys, ledger) -> None:
        signed_in(client, keys.mint(ADMIN_ID, "admin"))
        form = {"year": "2026", "csrf_token": "c1"}
        page = await client.post("/admin/exports/k1/issue", data=form)
        assert page.status_code == 200 and "K-1s for 2026 issued for 1 member(s)." in page.text
        again = await client.post("/admin/exports/k1/issue", data=form)
        assert again.status_code == 409 and "The K-1s of 2026 were issued already." in again.text
        assert ledger.calls[0][0] == "POST /exports/k1/2026/issue"

    async def test_without_the_form_token_or_as_a_steward_nothing_is_issued(self, client, keys, ledger) -> None:
        signed_in(client, keys.mint(ADMIN_ID, "admin"))
        refused = await client.post("/admin/exports/k1/issue", data={"year": "2026"})
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "csrf_failed")
        signed_in(client, keys.mint(MEMBER_ID, "steward"))
        page = await client.post("/admin/exports/k1/issue", data={"year": "2026", "csrf_token": "c1"})
        assert page.status_code == 403
        assert ledger.calls == []
