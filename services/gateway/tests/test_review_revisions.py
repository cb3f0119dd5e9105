"""Review through the gateway names the revision the reviewer saw (issue 13): the API passes
expected_revision on and documents it; the web UI always sends it, from the detail page and the queue."""

from __future__ import annotations

import json
import uuid

import httpx
from habitat_gateway.app import create_app
from habitat_gateway.config import GatewaySettings

STEWARD = uuid.uuid4()
ITEM = {
    "id": str(uuid.uuid4()), "member_id": str(uuid.uuid4()), "period_id": str(uuid.uuid4()), "type": "labor",
    "contributed_on": "2026-03-10", "description": "Repaired the roof", "value": "240.00", "book_amount": "0.00",
    "tax_amount": "0.00", "status": "pending", "submitted_at": "2026-03-10T10:00:00Z", "approvals": [],
    "approvals_required": 1, "revision": 3, "revisions": [], "thread": [], "age_hours": 2.0, "overdue": False,
}  # fmt: skip
STALE = {"error": {"code": "stale_revision", "message": "The member changed this contribution after you opened it."}}


class Contributions:
    """The contributions service: records what it was sent; an approval of revision 3 is stale."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict | None]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.sent.append((f"{request.method} {request.url.path}", body))
        path = request.url.path
        if path == "/review-queue":
            return httpx.Response(200, json={"items": [ITEM], "total": 1})
        if path == "/contributions/batch-approve":
            return httpx.Response(200, json={"results": [{"id": ITEM["id"], "ok": False, "error": STALE["error"]}]})
        if request.method == "POST" and (body or {}).get("expected_revision") == 3:
            return httpx.Response(409, json=STALE)
        if path == f"/contributions/{ITEM['id']}":
            return httpx.Response(200, json=ITEM)
        return httpx.Response(200, json=ITEM | {"status": "approved"})


def ledger(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"items": []})


def signed_in(http: httpx.AsyncClient, keys) -> httpx.AsyncClient:
    http.cookies.set("habitat_access", keys.mint(STEWARD, "steward"))
    http.cookies.set("habitat_csrf", "c1")
    return http


class TestApi:
    async def test_expected_revision_is_passed_on_and_stale_revision_comes_back(self, gateway_over, keys) -> None:
        upstream = Contributions()
        headers = {"Authorization": f"Bearer {keys.mint(STEWARD, 'steward')}"}
        async with gateway_over(contributions=upstream) as http:
            stale = await http.post(
                f"/api/v1/contributions/{ITEM['id']}/approve", json={"expected_revision": 3}, headers=headers
            )
            plain = await http.post(f"/api/v1/contributions/{ITEM['id']}/reject", json={"reason": "Not co-op work"},
                                    headers=headers)  # fmt: skip
            batch = await http.post(
                "/api/v1/contributions/batch-approve",
                json={"ids": [ITEM["id"]], "expected_revisions": {ITEM["id"]: 3}},
                headers=headers,
            )
            bad = await http.post(
                f"/api/v1/contributions/{ITEM['id']}/approve", json={"expected_revision": 0}, headers=headers
            )
        assert (stale.status_code, stale.json()) == (409, STALE)
        assert plain.status_code == 200 and bad.status_code == 422
        assert batch.json()["results"][0]["error"]["code"] == "stale_revision"
        assert upstream.sent == [
            (f"POST /contributions/{ITEM['id']}/approve", {"expected_revision": 3}),
            (f"POST /contributions/{ITEM['id']}/reject", {"reason": "Not co-op work"}),  # absent: as before
            ("POST /contributions/batch-approve", {"ids": [ITEM["id"]], "expected_revisions": {ITEM["id"]: 3}}),
        ]

    def test_openapi_documents_the_revision_and_imported_approvals(self) -> None:
        spec = create_app(GatewaySettings()).openapi()
        schemas = spec["components"]["schemas"]
        for name in ("ReviewRequest", "RejectRequest", "ClarificationRequest"):
            assert "stale_revision" in schemas[name]["properties"]["expected_revision"]["description"]
        assert "stale_revision" in schemas["BatchApproveRequest"]["properties"]["expected_revisions"]["description"]
        assert "expected_revision" in schemas["Contribution"]["properties"]["revision"]["description"]
        assert {"imported", "imported_by"} <= set(schemas["Approval"]["properties"])
        for action in ("approve", "reject", "request-clarification"):
            responses = spec["paths"][f"/api/v1/contributions/{{contribution_id}}/{action}"]["post"]["responses"]
            assert "stale_revision" in responses["409"]["description"]


class TestWebUi:
    async def test_the_detail_page_sends_the_revision_it_showed_and_shows_the_refusal(self, gateway_over, keys):
        upstream = Contributions()
        async with gateway_over(contributions=upstream, ledger=ledger) as http:
            page = await signed_in(http, keys).get(f"/contributions/{ITEM['id']}")
            assert page.text.count('name="expected_revision" value="3"') == 3  # approve, reject, question
            refused = await http.post(
                f"/contributions/{ITEM['id']}/review/approve", data={"csrf_token": "c1", "expected_revision": "3"}
            )
        assert refused.status_code == 409
        assert "The member changed this contribution after you opened it." in refused.text
        assert (f"POST /contributions/{ITEM['id']}/approve", {"expected_revision": 3}) in upstream.sent

    async def test_the_queue_sends_each_rows_revision_single_and_batch(self, gateway_over, keys) -> None:
        upstream = Contributions()
        async with gateway_over(contributions=upstream, ledger=ledger) as http:
            queue = await signed_in(http, keys).get("/review")
            assert f'name="revision-{ITEM["id"]}" value="3"' in queue.text
            form = {"csrf_token": "c1", f"revision-{ITEM['id']}": "3"}
            single = await http.post(f"/review/{ITEM['id']}/approve", data=form)
            batch = await http.post("/review/batch-approve", data=form | {"ids": ITEM["id"]})
        assert single.status_code == 409 and "after you opened it" in single.text
        assert "after you opened it" in batch.text
        posted = [body for call, body in upstream.sent if call.startswith("POST")]
        assert posted == [
            {"note": None, "expected_revision": 3},
            {"ids": [ITEM["id"]], "expected_revisions": {ITEM["id"]: 3}},
        ]
