"""Dead letters through the gateway: the list merges both consuming services, a queue's prefix picks its
service, refusals pass through, admins only, and the OpenAPI documents the four routes."""

from __future__ import annotations

import json
import uuid

import httpx

ADMIN = uuid.uuid4()
LEDGER_QUEUE = "ledger.contributions.contribution_approved.v1"
CONTRIBUTIONS_QUEUE = "contributions.identity.member_registered.v1"
NOTIFICATIONS_QUEUE = "notifications.identity.password_reset_requested.v1"


def letter(queue: str, dead_at: str) -> dict:
    return {"id": str(uuid.uuid4()), "queue": queue, "event_type": "x.y.v1", "event_id": str(uuid.uuid4()),
            "reason": "malformed: no", "dead_at": dead_at, "age_seconds": 5, "times_dead": 1, "status": "dead"}


class Consumer:
    """A consuming service's dead-letter routes, recording what it was asked."""

    def __init__(self, queue: str, items: list[dict]) -> None:
        self.queue, self.items, self.calls = queue, items, []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.method, request.url.path, dict(request.url.params), request.content))
        path = request.url.path
        if path == "/dead-letters":
            return httpx.Response(200, json={
                "queues": [{"queue": self.queue, "count": len(self.items), "oldest_dead_at": None, "age_seconds": None}],
                "total": len(self.items), "items": self.items})
        if path == f"/dead-letters/{self.queue}/replay":
            return httpx.Response(202, json={"queue": self.queue, "requested": 1, "already_replayed": 0})
        if path == f"/dead-letters/{self.queue}/discard":
            return httpx.Response(409, json={"error": {"code": "dead_letter_not_dead", "message": "replayed"}})
        return httpx.Response(404, json={"error": {"code": "unknown_queue", "message": "no"}})


def admin(keys) -> dict:
    return {"Authorization": f"Bearer {keys.mint(ADMIN, 'admin')}"}


async def test_the_list_merges_every_consuming_service_oldest_first(gateway_over, keys) -> None:
    ledger = Consumer(LEDGER_QUEUE, [letter(LEDGER_QUEUE, "2026-12-01T10:00:00Z")])
    contributions = Consumer(CONTRIBUTIONS_QUEUE, [letter(CONTRIBUTIONS_QUEUE, "2026-11-30T10:00:00Z"),
                                                   letter(CONTRIBUTIONS_QUEUE, "2026-12-02T10:00:00Z")])
    notifications = Consumer(NOTIFICATIONS_QUEUE, [letter(NOTIFICATIONS_QUEUE, "2026-12-03T10:00:00Z")])
    async with gateway_over(ledger=ledger.handle, contributions=contributions.handle,
                            notifications=notifications.handle) as gw:
        response = await gw.get("/api/v1/dead-letters", params={"limit": 3, "offset": 1}, headers=admin(keys))
        assert response.status_code == 200, response.text
        body = response.json()
        assert [q["queue"] for q in body["queues"]] == [CONTRIBUTIONS_QUEUE, LEDGER_QUEUE, NOTIFICATIONS_QUEUE]
        assert body["total"] == 4
        assert [i["dead_at"][:10] for i in body["items"]] == ["2026-12-01", "2026-12-02", "2026-12-03"]
        assert ledger.calls[0][2] == {"status": "dead", "limit": "4", "offset": "0"}
        too_deep = await gw.get("/api/v1/dead-letters", params={"limit": 500, "offset": 1}, headers=admin(keys))
        assert (too_deep.status_code, too_deep.json()["error"]["code"]) == (422, "page_too_deep")


async def test_a_queue_goes_to_its_consumer_only(gateway_over, keys) -> None:
    ledger = Consumer(LEDGER_QUEUE, [])
    contributions = Consumer(CONTRIBUTIONS_QUEUE, [])
    async with gateway_over(ledger=ledger.handle, contributions=contributions.handle) as gw:
        replayed = await gw.post(f"/api/v1/dead-letters/{LEDGER_QUEUE}/replay", headers=admin(keys))
        assert replayed.status_code == 202
        assert replayed.json() == {"queue": LEDGER_QUEUE, "requested": 1, "already_replayed": 0}
        ids = [str(uuid.uuid4())]
        await gw.post(f"/api/v1/dead-letters/{LEDGER_QUEUE}/replay", json={"ids": ids}, headers=admin(keys))
        assert [json.loads(c[3] or b"null") for c in ledger.calls] == [{}, {"ids": ids}]
        refused = await gw.post(f"/api/v1/dead-letters/{LEDGER_QUEUE}/discard", json={"reason": "drill"},
                                headers=admin(keys))
        assert (refused.status_code, refused.json()["error"]["code"]) == (409, "dead_letter_not_dead")
        listed = await gw.get("/api/v1/dead-letters", params={"queue": LEDGER_QUEUE}, headers=admin(keys))
        assert listed.status_code == 200
        assert contributions.calls == []
        unknown = await gw.post("/api/v1/dead-letters/identity.x.v1/replay", headers=admin(keys))
        assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "unknown_queue")


async def test_admins_only_and_reasons_checked_at_the_door(gateway_over, keys) -> None:
    ledger = Consumer(LEDGER_QUEUE, [])
    async with gateway_over(ledger=ledger.handle) as gw:
        steward = {"Authorization": f"Bearer {keys.mint(uuid.uuid4(), 'steward')}"}
        assert (await gw.get("/api/v1/dead-letters", headers=steward)).status_code == 403
        assert (await gw.post(f"/api/v1/dead-letters/{LEDGER_QUEUE}/replay", headers=steward)).status_code == 403
        control = await gw.post(f"/api/v1/dead-letters/{LEDGER_QUEUE}/discard", json={"reason": "a\x07b"},
                                headers=admin(keys))
        assert (control.status_code, control.json()["error"]["code"]) == (422, "control_character")
        assert ledger.calls == []


async def test_the_openapi_documents_the_four_routes(gateway_over) -> None:
    async with gateway_over() as gw:
        spec = (await gw.get("/api/v1/openapi.json")).json()
    paths = spec["paths"]
    assert set(paths["/api/v1/dead-letters"]) == {"get"}
    assert set(paths["/api/v1/dead-letters/{queue}"]) == {"get"}
    replay = paths["/api/v1/dead-letters/{queue}/replay"]["post"]
    assert "202" in replay["responses"] and "409" in replay["responses"]
    discard = paths["/api/v1/dead-letters/{queue}/discard"]["post"]
    assert discard["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("DiscardRequest")
