"""Money through the gateway is decimal text: absurd or malformed amounts are 422 with a code before any
service is called, and valid ones are forwarded as text with two places."""

from __future__ import annotations

import json
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

ADMIN = uuid.uuid4()
PERIOD = uuid.uuid4()
ABSURD = [("1e26", "invalid_amount"), ("NaN", "invalid_amount"), ("Infinity", "invalid_amount"),
          (500, "amount_not_string"), ("1.001", "amount_too_precise"), ("-0.001", "amount_too_precise"),
          ("1000000000000.00", "amount_too_large")]  # fmt: skip
CAPITAL = {"type": "capital", "contributed_on": "2026-02-10", "description": "Cash for the new roof"}


@pytest.fixture
async def gateway():
    keys, forwarded = LocalKeys(), []

    def answer(request: httpx.Request) -> httpx.Response:
        forwarded.append((request.method, request.url.path, request.url.query.decode(), request.content))
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "nope"}})

    def service(name: str) -> ServiceClient:
        mock = httpx.AsyncClient(base_url=f"http://{name}", transport=httpx.MockTransport(answer))
        return ServiceClient(name, f"http://{name}", timeout=5, max_connections=5, transport=HttpxTransport(mock))

    services = Services(service("identity"), service("contributions"), service("ledger"), service("notifications"))
    app = create_app(GatewaySettings(cookie_secure=False), TokenVerifier(AuthSettings(), keys), services)
    headers = {"Authorization": f"Bearer {keys.mint(ADMIN, 'admin')}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw", headers=headers) as http:
        http.forwarded = forwarded
        yield http


def refused(response, code: str) -> None:
    assert (response.status_code, response.json()["error"]["code"]) == (422, code), response.text


@pytest.mark.parametrize(("amount", "code"), ABSURD)
@pytest.mark.parametrize("field", ["amount", "rate", "fair_market_value", "adjusted_basis"])
async def test_contribution_amounts(gateway, field, amount, code):
    refused(await gateway.post("/api/v1/contributions", json={**CAPITAL, field: amount}), code)
    refused(await gateway.patch(f"/api/v1/contributions/{uuid.uuid4()}", json={field: amount}), code)
    assert gateway.forwarded == []


async def test_hours_are_text_too(gateway):
    refused(
        await gateway.post("/api/v1/contributions", json={**CAPITAL, "type": "labor", "hours": 8}), "amount_not_string"
    )
    refused(
        await gateway.post("/api/v1/contributions", json={**CAPITAL, "type": "labor", "hours": "1e3"}), "invalid_amount"
    )


@pytest.mark.parametrize(("amount", "code"), ABSURD)
async def test_allocation_results_and_distributions(gateway, amount, code):
    refused(await gateway.post(f"/api/v1/periods/{PERIOD}/allocations", json={"surplus": amount}), code)
    body = {"surplus": "-100.00", "tax_surplus": amount}
    refused(await gateway.post(f"/api/v1/periods/{PERIOD}/allocations", json=body), code)
    body = {"member_id": str(uuid.uuid4()), "amount": amount, "method": "check", "scheduled_on": "2026-04-15"}
    refused(await gateway.post("/api/v1/distributions", json=body), code)
    assert gateway.forwarded == []


@pytest.mark.parametrize(("amount", "code"), [a for a in ABSURD if isinstance(a[0], str)])
async def test_the_draft_allocation_query(gateway, amount, code):
    refused(await gateway.get(f"/api/v1/periods/{PERIOD}/draft-allocation", params={"surplus": amount}), code)
    params = {"surplus": "1.00", "tax_surplus": amount}
    refused(await gateway.get(f"/api/v1/periods/{PERIOD}/draft-allocation", params=params), code)


async def test_valid_amounts_are_forwarded_as_text_with_two_places(gateway):
    await gateway.post("/api/v1/contributions", json={**CAPITAL, "amount": "500", "corrects_contribution_id": None})
    await gateway.post(f"/api/v1/periods/{PERIOD}/allocations", json={"surplus": "-1000.5", "cash_portion": "0"})
    await gateway.get(f"/api/v1/periods/{PERIOD}/draft-allocation", params={"surplus": "-12.5"})
    sent = {(method, path): (query, content) for method, path, query, content in gateway.forwarded}
    assert json.loads(sent["POST", "/contributions"][1])["amount"] == "500.00"
    assert json.loads(sent["POST", f"/periods/{PERIOD}/allocations"][1])["surplus"] == "-1000.50"
    assert "surplus=-12.50" in sent["GET", f"/periods/{PERIOD}/draft-allocation"][0]
