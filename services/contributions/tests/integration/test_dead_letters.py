"""The contributions service's dead letters on PostgreSQL (its own schema) and its admin routes."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from habitat_common.messaging import dead_letter_rules as rules
from habitat_common.messaging.dead_letter_store import DeadLetterStore
from habitat_contributions.adapters import orm

QUEUE = "contributions.identity.member_registered.v1"
ADMIN = uuid.uuid4()


@pytest.fixture
def store(container) -> DeadLetterStore:
    return DeadLetterStore(container.session_factory, orm.dead_letter)


def death(event_id: uuid.UUID, letter_id: uuid.UUID | None = None, reason: str = "delivery_limit") -> rules.Death:
    body = json.dumps({"event_id": str(event_id), "event_type": "identity.member_registered",
                       "event_version": 1}).encode()
    headers = {rules.REASON_HEADER: reason} | ({rules.LETTER_ID_HEADER: str(letter_id)} if letter_id else {})
    return rules.read_death(QUEUE, body, headers)


async def rows(container) -> list:
    async with container.engine.connect() as conn:
        return (await conn.execute(text("SELECT * FROM contributions.dead_letter ORDER BY dead_at"))).mappings().all()


def admin_headers(keys, role: str = "admin") -> dict:
    return {"Authorization": f"Bearer {keys.mint(ADMIN, role)}"}


async def test_kept_reopened_after_a_replay_and_never_deleted(store, container) -> None:
    event_id = uuid.uuid4()
    assert await store.record(death(event_id))
    [row] = await rows(container)
    await store.request_replay(QUEUE, [row.id], actor=ADMIN)

    async def confirmed(_row) -> None:
        return None

    assert await store.replay_batch(confirmed, limit=5) == 1
    assert await store.record(death(event_id, row.id, "delivery_limit: again"))
    [again] = await rows(container)
    assert (again.id, again.status, again.times_dead, again.reason) == (row.id, "dead", 2, "delivery_limit: again")
    await store.discard(QUEUE, None, actor=ADMIN, reason="member re-registered by hand")
    async with container.engine.connect() as conn:
        with pytest.raises(DBAPIError, match="audit trail"):
            await conn.execute(text("DELETE FROM contributions.dead_letter"))
    [kept] = await rows(container)
    assert (kept.status, kept.discard_reason, kept.discarded_by) == ("discarded", "member re-registered by hand", ADMIN)


async def test_routes_know_only_this_services_queues(client, store, keys) -> None:
    await store.record(death(uuid.uuid4()))
    listed = await client.get("/dead-letters", headers=admin_headers(keys))
    assert listed.status_code == 200, listed.text
    assert {q["queue"] for q in listed.json()["queues"]} == {
        "contributions.identity.member_registered.v1", "contributions.identity.member_updated.v1",
        "contributions.identity.member_deactivated.v1", "contributions.ledger.period_opened.v1",
        "contributions.ledger.period_closing.v1", "contributions.ledger.period_closed.v1"}
    assert listed.json()["total"] == 1
    ledger_queue = await client.post("/dead-letters/ledger.contributions.contribution_approved.v1/replay",
                                      headers=admin_headers(keys), json={})
    assert (ledger_queue.status_code, ledger_queue.json()["error"]["code"]) == (404, "unknown_queue")
    replayed = await client.post(f"/dead-letters/{QUEUE}/replay", headers=admin_headers(keys))
    assert (replayed.status_code, replayed.json()["requested"]) == (202, 1)
    steward = await client.get(f"/dead-letters/{QUEUE}", headers=admin_headers(keys, "steward"))
    assert steward.status_code == 403
