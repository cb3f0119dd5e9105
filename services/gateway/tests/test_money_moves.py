"""Money moves through the gateway: requests answered 202 and passed on, a second admin approves or rejects,
the distributions page lists what waits (PRODUCT.md rule 12)."""

from __future__ import annotations

import json
import re
import uuid

import httpx
import pytest
from habitat_gateway.app import create_app
from habitat_gateway.config import GatewaySettings

ADMIN_ID, ADMIN2_ID, MEMBER_ID = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
DISTRIBUTION, MOVE = str(uuid.uuid4()), str(uuid.uuid4())


def move(status: str = "requested", approvals=(ADMIN_ID,)) -> dict:
    return {
        "id": MOVE, "kind": "complete_distribution", "status": status, "target_id": DISTRIBUTION,
        "parameters": {"member_id": str(MEMBER_ID), "amount": "200.00", "reference": "CHK-1", "paid_on": "2026-04-16",
                       "method": "check", "override_reason": None},
        "content_hash": "ab" * 32, "requested_by": str(ADMIN_ID), "requested_at": "2026-04-16T10:00:00Z",
        "approvals_required": 2, "approvals": [{"by": str(a), "at": "2026-04-16T10:00:00Z"} for a in approvals],
        "single_admin": False, "rejection": None, "executed_at": None, "result_id": None,
    }


class Ledger:
    def __init__(self) -> None:
        self.calls: list[tuple[str, bytes]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((f"{request.method} {request.url.path}", request.content))
        path = request.url.path
        if path == f"/distributions/{DISTRIBUTION}/complete":
            return httpx.Response(202, json=move())
        if path == f"/money-moves/{MOVE}/approve":
            return httpx.Response(200, json=move("executed", (ADMIN_ID, ADMIN2_ID)))
        if path == f"/money-moves/{MOVE}/reject":
            return httpx.Response(409, json={"error": {"code": "money_move_not_pending", "message": "It is executed."}})
        if path == "/money-moves":
            return httpx.Response(200, json={"items": [move()]})
        if path == "/distributions":
            return httpx.Response(200, json={"items": [{
                "id": DISTRIBUTION, "member_id": str(MEMBER_ID), "amount": "200.00", "method": "check",
                "scheduled_on": "2026-04-15", "status": "scheduled", "reference": None}]})
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "nope"}})


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


@pytest.fixture
async def client(gateway_over, ledger: Ledger):
    async with gateway_over(ledger=ledger.handle) as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestApi:
    async def test_a_completion_is_requested_202_and_a_second_admin_executes_it(self, client, keys, ledger) -> None:
        requested = await client.post(f"/api/v1/distributions/{DISTRIBUTION}/complete", json={"reference": "CHK-1"},
                                      headers=bearer(keys.mint(ADMIN_ID, "admin")))
        assert (requested.status_code, requested.json()["status"]) == (202, "requested")
        approved = await client.post(f"/api/v1/money-moves/{MOVE}/approve", headers=bearer(keys.mint(ADMIN2_ID, "admin")))
        assert (approved.status_code, approved.json()["status"]) == (200, "executed")
        listed = await client.get("/api/v1/money-moves", params={"status": "requested"},
                                  headers=bearer(keys.mint(ADMIN_ID, "admin")))
        assert [m["id"] for m in listed.json()["items"]] == [MOVE]
        rejected = await client.post(f"/api/v1/money-moves/{MOVE}/reject", json={"reason": "late"},
                                     headers=bearer(keys.mint(ADMIN2_ID, "admin")))
        assert (rejected.status_code, rejected.json()["error"]["code"]) == (409, "money_move_not_pending")
        assert json.loads(ledger.calls[-1][1]) == {"reason": "late"}

    async def test_a_completion_says_how_it_was_paid_and_the_ledger_gets_it(self, client, keys, ledger) -> None:
        body = {"reference": "ACH-7", "paid_on": "2026-04-16", "method": "ach"}
        requested = await client.post(f"/api/v1/distributions/{DISTRIBUTION}/complete", json=body,
                                      headers=bearer(keys.mint(ADMIN_ID, "admin")))
        assert requested.status_code == 202 and json.loads(ledger.calls[-1][1]) == body
        unknown = await client.post(f"/api/v1/distributions/{DISTRIBUTION}/complete",
                                    json={"reference": "X", "method": "barter"}, headers=bearer(keys.mint(ADMIN_ID, "admin")))
        assert unknown.status_code == 422 and len(ledger.calls) == 1, unknown.text

    @pytest.mark.parametrize("role", ["member", "steward"])
    async def test_only_admins(self, client, keys, ledger, role) -> None:
        token = bearer(keys.mint(MEMBER_ID, role))
        for method, path in (("GET", "/api/v1/money-moves"), ("POST", f"/api/v1/money-moves/{MOVE}/approve")):
            assert (await client.request(method, path, headers=token)).status_code == 403
        assert ledger.calls == []


def test_openapi_documents_the_requests_and_the_money_moves() -> None:
    paths = create_app(GatewaySettings()).openapi()["paths"]
    complete = paths["/api/v1/distributions/{distribution_id}/complete"]["post"]
    assert "MoneyMove" in json.dumps(complete["responses"]["202"]) and "403" in complete["responses"]
    assert "202" in paths["/api/v1/transactions/{transaction_id}/reverse"]["post"]["responses"]
    assert {"/api/v1/money-moves", "/api/v1/money-moves/{move_id}", "/api/v1/money-moves/{move_id}/approve",
            "/api/v1/money-moves/{move_id}/reject"} <= set(paths)


class TestDistributionsPage:
    async def test_the_requester_waits_and_another_admin_approves(self, client, keys, ledger) -> None:
        client.cookies.set("habitat_access", keys.mint(ADMIN_ID, "admin"))
        page = (await client.get("/distributions")).text
        assert 'id="waiting-moves"' in page and f'data-move-id="{MOVE}"' in page
        assert "waiting for another admin" in page and "Withdraw" in page
        assert "paid, waiting for a second admin" in page and "Mark paid" not in page
        client.cookies.set("habitat_access", keys.mint(ADMIN2_ID, "admin"))
        page = (await client.get("/distributions")).text
        assert f'action="/money-moves/{MOVE}/approve"' in page
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        done = await client.post(f"/money-moves/{MOVE}/approve", data={"csrf_token": csrf})
        assert (done.status_code, done.headers["location"]) == (303, "/distributions?done=money_move_approve#money-moves")
        assert ledger.calls[-1][0] == f"POST /money-moves/{MOVE}/approve"
