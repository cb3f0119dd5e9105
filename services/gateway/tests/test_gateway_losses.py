"""Losses and separate tax results through the gateway: the public API, its OpenAPI and the close wizard."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from habitat_common.testing import LocalKeys
from habitat_gateway.app import create_app
from habitat_gateway.config import GatewaySettings

PERIOD, ALLOCATION, ADMIN = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
ROW = {"member_id": str(uuid.UUID(int=1)), "display_name": "Cal Ito", "weighted_patronage": "1250.00",
       "share": "0.5555555556", "allocation": "-2555.56", "tax_allocation": "-1666.67",
       "cash_portion_amount": "0.00", "retained_amount": "-2555.56"}
RECORD = {
    "id": str(ALLOCATION), "period_id": str(PERIOD), "status": "proposed",
    "inputs": {"surplus": "-4600.00", "tax_surplus": "-3000.01", "cash_portion": "0.00",
               "weights": {"labor": "1.00", "capital": "0.50", "property": "0.50"}},
    "rows": [ROW], "contribution_count": 3, "content_hash": "ab" * 32, "proposed_by": str(ADMIN),
    "proposed_at": "2026-07-01T00:00:00Z", "approvals": [], "approvals_required": 2, "rejection": None,
    "posted_at": None,
}
DRAFT = {
    "period_id": str(PERIOD), "surplus": "-1000.00", "tax_surplus": "-900.00",
    "weights": {"labor": "1.00", "capital": "0.50", "property": "0.50"}, "total_weighted": "2250.00",
    "rows": [{**ROW, "allocation": "-555.56", "tax_allocation": "-500.00",
              "explanation": "… so of a loss of 1000.00 your share is -555.56; on the tax basis, of a loss of 900.00"
                             " your share is -500.00."}],
    "allocated_total": "-1000.00", "tax_allocated_total": "-900.00",
}


class Ledger:
    """Answers like the ledger and keeps what the gateway sent it."""

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        path = request.url.path
        if path.endswith("/draft-allocation"):
            return httpx.Response(200, json=DRAFT)
        if path == f"/periods/{PERIOD}/allocations" and request.method == "POST":
            if json.loads(request.content).get("cash_portion") not in ("0", "0.00"):
                return httpx.Response(422, json={"error": {
                    "code": "loss_has_no_cash_portion", "message": "A loss of 4600.00 is allocated to capital only."}})
            return httpx.Response(201, json=RECORD)
        if path == f"/periods/{PERIOD}":
            return httpx.Response(200, json={"id": str(PERIOD), "name": "2026-Q2", "starts_on": "2026-04-01",
                                             "ends_on": "2026-06-30", "status": "closing",
                                             "created_at": "2026-04-01T00:00:00Z"})
        if path == f"/allocations/{ALLOCATION}":
            return httpx.Response(200, json=RECORD)
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "nope"}})


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


@pytest.fixture
async def gateway(gateway_over, ledger: Ledger):
    async with gateway_over(ledger=ledger) as http:
        yield http


def admin(keys: LocalKeys) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.mint(ADMIN, role='admin')}"}


class TestProposeALoss:
    async def test_a_negative_surplus_and_a_tax_result_reach_the_ledger_as_strings(self, gateway, keys, ledger):
        response = await gateway.post(f"/api/v1/periods/{PERIOD}/allocations", headers=admin(keys),
                                       json={"surplus": "-4600.00", "tax_surplus": "-3000.01"})
        assert response.status_code == 201, response.text
        sent = json.loads(ledger.sent[-1].content)
        assert (sent["surplus"], sent["tax_surplus"], sent["cash_portion"]) == ("-4600.00", "-3000.01", "0")
        body = response.json()
        assert body["inputs"]["tax_surplus"] == "-3000.01"
        assert [(r["allocation"], r["tax_allocation"]) for r in body["rows"]] == [("-2555.56", "-1666.67")]

    async def test_a_loss_with_a_cash_portion_is_the_ledgers_422(self, gateway, keys):
        response = await gateway.post(f"/api/v1/periods/{PERIOD}/allocations", headers=admin(keys),
                                      json={"surplus": "-4600.00", "cash_portion": "25"})
        assert (response.status_code, response.json()["error"]["code"]) == (422, "loss_has_no_cash_portion")


class TestDraftOfALoss:
    async def test_a_negative_surplus_and_a_tax_result_are_passed_on(self, gateway, keys, ledger):
        response = await gateway.get(f"/api/v1/periods/{PERIOD}/draft-allocation", headers=admin(keys),
                                     params={"surplus": "-1000.00", "tax_surplus": "-900.00"})
        assert response.status_code == 200, response.text
        params = ledger.sent[-1].url.params
        assert (params["surplus"], params["tax_surplus"]) == ("-1000.00", "-900.00")
        body = response.json()
        assert (body["tax_surplus"], body["tax_allocated_total"], body["rows"][0]["tax_allocation"]) == (
            "-900.00", "-900.00", "-500.00",
        )

    async def test_without_a_tax_result_none_is_sent(self, gateway, keys, ledger):
        await gateway.get(f"/api/v1/periods/{PERIOD}/draft-allocation", headers=admin(keys), params={"surplus": "-5"})
        assert "tax_surplus" not in ledger.sent[-1].url.params


def test_openapi_documents_losses_and_the_tax_result() -> None:
    spec = create_app(GatewaySettings()).openapi()
    schemas = spec["components"]["schemas"]
    propose = schemas["ProposeAllocationRequest"]["properties"]
    assert "negative for a loss" in propose["surplus"]["description"]
    assert "tax" in propose["tax_surplus"]["description"].lower()
    assert "loss_has_no_cash_portion" in propose["cash_portion"]["description"]
    assert "tax capital" in schemas["AllocationRow"]["properties"]["tax_allocation"]["description"]
    draft = spec["paths"]["/api/v1/periods/{period_id}/draft-allocation"]["get"]["parameters"]
    assert {p["name"] for p in draft} >= {"surplus", "tax_surplus"}


class TestCloseWizard:
    @pytest.fixture
    def browser(self, gateway, keys):
        gateway.cookies.set("habitat_access", keys.mint(ADMIN, role="admin"))
        gateway.cookies.set("habitat_csrf", "csrf")
        return gateway

    async def test_the_propose_form_sends_a_loss_and_its_tax_result(self, browser, ledger):
        response = await browser.post(f"/periods/{PERIOD}/propose", data={
            "csrf_token": "csrf", "surplus": "-4600.00", "tax_surplus": "-3000.01", "cash_portion": "0"})
        assert (response.status_code, response.headers["location"]) == (303, f"/allocations/{ALLOCATION}?done=proposed")
        sent = json.loads(ledger.sent[-1].content)
        assert (sent["surplus"], sent["tax_surplus"], sent["cash_portion"]) == ("-4600.00", "-3000.01", "0")

    async def test_an_empty_tax_result_is_not_sent(self, browser, ledger):
        await browser.post(f"/periods/{PERIOD}/propose", data={
            "csrf_token": "csrf", "surplus": "-4600.00", "tax_surplus": " ", "cash_portion": "0"})
        assert "tax_surplus" not in json.loads(ledger.sent[-1].content)

    async def test_the_allocation_page_shows_the_loss_and_both_bases(self, browser):
        page = (await browser.get(f"/allocations/{ALLOCATION}")).text
        assert "Loss (book)" in page and "-4,600.00" in page and "-3,000.01" in page
        assert "Allocation (tax)" in page and "-1,666.67" in page

    async def test_the_draft_preview_takes_a_loss_and_a_tax_result(self, browser, keys, ledger):
        browser.cookies.set("habitat_access", keys.mint(uuid.UUID(int=1), role="member"))  # a member sees the draft
        page = (await browser.get(f"/periods/{PERIOD}", params={"surplus": "-1000.00", "tax_surplus": "-900.00"})).text
        draft = next(r for r in ledger.sent if r.url.path.endswith("/draft-allocation"))
        assert (draft.url.params["surplus"], draft.url.params["tax_surplus"]) == ("-1000.00", "-900.00")
        assert 'name="tax_surplus" value="-900.00"' in page
        assert "of a loss of -1,000.00 (tax basis: -900.00 of -900.00)" in page
        assert "-500.00" in page
