"""The ledger's dead letters on PostgreSQL: kept, reopened when a replay dies again, replayed, discarded with a
reason, never deleted; and the admin routes over them."""

from __future__ import annotations

import json
import uuid

import pytest
from habitat_common.messaging import dead_letter_rules as rules
from habitat_common.messaging.dead_letter_store import DeadLetterStore
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from habitat_ledger.adapters.orm import dead_letter
from tests.ledger_api import ADMIN

QUEUE = "ledger.contributions.contribution_approved.v1"
OTHER_QUEUE = "ledger.identity.member_registered.v1"


def a_death(queue: str = QUEUE, *, event_id: uuid.UUID | None = None, letter_id: uuid.UUID | None = None,
            reason: str = "malformed: not a contributions.contribution_approved.v1 envelope") -> rules.Death:
    event_id = event_id or uuid.uuid4()
    body = json.dumps({"event_id": str(event_id), "event_type": "contributions.contribution_approved",
                       "event_version": 1, "payload": {}}).encode()
    headers = {rules.REASON_HEADER: reason, "x-correlation-id": "c-1"}
    if letter_id:
        headers[rules.LETTER_ID_HEADER] = str(letter_id)
    return rules.read_death(queue, body, headers, message_id=str(event_id), content_type="application/json")


@pytest.fixture
def store(session_factory) -> DeadLetterStore:
    return DeadLetterStore(session_factory, dead_letter)


async def rows(connection, queue: str = QUEUE) -> list:
    return (await connection.execute(
        text("SELECT * FROM ledger.dead_letter WHERE queue = :q ORDER BY dead_at, id"), {"q": queue}
    )).mappings().all()


class Published:
    def __init__(self) -> None:
        self.rows: list = []

    async def __call__(self, row) -> None:
        self.rows.append(row)


class TestStore:
    async def test_a_death_is_kept_with_its_reason_event_and_body(self, store, connection) -> None:
        death = a_death()
        assert await store.record(death)
        [row] = await rows(connection)
        assert (row.status, row.times_dead, row.reason) == ("dead", 1, death.reason)
        assert (row.event_id, row.event_type) == (death.event_id, "contributions.contribution_approved.v1")
        assert bytes(row.body) == death.body and row.headers["x-correlation-id"] == "c-1"

    async def test_the_same_delivery_kept_twice_is_one_letter(self, store, connection) -> None:
        death = a_death()
        assert await store.record(death)
        assert not await store.record(death)
        assert len(await rows(connection)) == 1

    async def test_a_replayed_letter_that_dies_again_reopens_its_row(self, store, connection) -> None:
        await store.record(a_death())
        [row] = await rows(connection)
        assert (await store.request_replay(QUEUE, None, actor=ADMIN)).changed == 1
        published = Published()
        assert await store.replay_batch(published, limit=10) == 1
        assert [r.id for r in published.rows] == [row.id]
        [replayed] = await rows(connection)
        assert replayed.status == "replayed" and replayed.replayed_at is not None
        assert replayed.replay_requested_by == ADMIN

        again = a_death(event_id=row.event_id, letter_id=row.id, reason="delivery_limit: failed again")
        assert await store.record(again)
        [reopened] = await rows(connection)
        assert (reopened.id, reopened.status, reopened.times_dead) == (row.id, "dead", 2)
        assert reopened.reason == "delivery_limit: failed again"

    async def test_replay_publishes_only_what_was_asked_for_once(self, store, connection) -> None:
        await store.record(a_death())
        await store.record(a_death())
        first, second = await rows(connection)
        outcome = await store.request_replay(QUEUE, [first.id], actor=ADMIN)
        assert (outcome.changed, outcome.already) == (1, 0)
        assert (await store.request_replay(QUEUE, [first.id], actor=ADMIN)).already == 1
        published = Published()
        assert await store.replay_batch(published, limit=10) == 1
        assert await store.replay_batch(published, limit=10) == 0
        assert [r.id for r in published.rows] == [first.id]
        assert [r.status for r in await rows(connection)] == ["replayed", "dead"]
        assert (await store.request_replay(QUEUE, [first.id], actor=ADMIN)).already == 1

    async def test_a_discard_is_recorded_and_discarding_again_changes_nothing(self, store, connection) -> None:
        await store.record(a_death())
        [row] = await rows(connection)
        outcome = await store.discard(QUEUE, [row.id], actor=ADMIN, reason="  test message from a drill ")
        assert (outcome.changed, outcome.already) == (1, 0)
        again = await store.discard(QUEUE, [row.id], actor=ADMIN, reason="again")
        assert (again.changed, again.already) == (0, 1)
        [kept] = await rows(connection)
        assert (kept.status, kept.discarded_by, kept.discard_reason) == ("discarded", ADMIN, "test message from a drill")
        with pytest.raises(rules.DeadLettersNotDead):
            await store.request_replay(QUEUE, [row.id], actor=ADMIN)

    async def test_ids_of_another_queue_are_not_found_and_nothing_moves(self, store, connection) -> None:
        await store.record(a_death())
        await store.record(a_death(OTHER_QUEUE))
        [other] = await rows(connection, OTHER_QUEUE)
        [mine] = await rows(connection)
        with pytest.raises(rules.DeadLettersNotFound):
            await store.request_replay(QUEUE, [mine.id, other.id], actor=ADMIN)
        assert [r.status for r in await rows(connection)] == ["dead"]

    async def test_a_letter_asked_to_be_replayed_cannot_be_discarded(self, store, connection) -> None:
        await store.record(a_death())
        [row] = await rows(connection)
        await store.request_replay(QUEUE, None, actor=ADMIN)
        with pytest.raises(rules.DeadLettersNotDead):
            await store.discard(QUEUE, [row.id], actor=ADMIN, reason="no")

    async def test_rows_are_never_deleted(self, store, connection) -> None:
        await store.record(a_death())
        with pytest.raises(DBAPIError, match="audit trail"):
            async with connection.begin_nested():
                await connection.execute(text("DELETE FROM ledger.dead_letter"))
        assert len(await rows(connection)) == 1

    async def test_counts_per_queue_are_of_dead_letters_only(self, store, connection) -> None:
        for _ in range(3):
            await store.record(a_death())
        await store.record(a_death(OTHER_QUEUE))
        [first, *_] = await rows(connection)
        await store.discard(QUEUE, [first.id], actor=ADMIN, reason="drill")
        assert await store.counts_by_queue() == {QUEUE: 2, OTHER_QUEUE: 1}


class TestAdminRoutes:
    async def test_list_show_replay_discard(self, api, store, connection) -> None:
        await store.record(a_death())
        await store.record(a_death())
        listed = await api.get("/dead-letters")
        assert listed.status_code == 200, listed.text
        body = listed.json()
        queue = next(q for q in body["queues"] if q["queue"] == QUEUE)
        assert queue["count"] == 2 and queue["age_seconds"] >= 0
        assert {q["queue"] for q in body["queues"]} >= {QUEUE, OTHER_QUEUE}
        assert body["total"] == 2 and body["items"][0]["reason"].startswith("malformed")
        first, second = (item["id"] for item in body["items"])

        shown = (await api.get(f"/dead-letters/{QUEUE}")).json()
        assert shown["total"] == 2 and shown["items"][0]["headers"]["x-correlation-id"] == "c-1"
        assert json.loads(shown["items"][0]["body"])["event_version"] == 1
        assert shown["items"][0]["body_encoding"] == "utf-8"

        discarded = await api.post(f"/dead-letters/{QUEUE}/discard", {"reason": "drill", "ids": [first]})
        assert discarded.json() == {"queue": QUEUE, "discarded": 1, "already_discarded": 0}
        replayed = await api.post(f"/dead-letters/{QUEUE}/replay")
        assert replayed.status_code == 202
        assert replayed.json() == {"queue": QUEUE, "requested": 1, "already_replayed": 0}
        assert (await api.get("/dead-letters")).json()["total"] == 0
        every = (await api.get("/dead-letters", params={"status": "any", "queue": QUEUE})).json()
        assert {(i["id"], i["status"]) for i in every["items"]} == {(first, "discarded"), (second, "replay_requested")}

    async def test_refusals(self, api, store, connection) -> None:
        await store.record(a_death())
        [row] = await rows(connection)
        unknown = await api.post("/dead-letters/contributions.identity.member_registered.v1/replay")
        assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "unknown_queue")
        missing = await api.post(f"/dead-letters/{QUEUE}/replay", {"ids": [str(uuid.uuid4())]})
        assert (missing.status_code, missing.json()["error"]["code"]) == (404, "dead_letter_not_found")
        no_reason = await api.post(f"/dead-letters/{QUEUE}/discard", {"ids": [str(row.id)]})
        assert no_reason.status_code == 422
        control = await api.post(f"/dead-letters/{QUEUE}/discard", {"reason": "a\nb"})
        assert (control.status_code, control.json()["error"]["code"]) == (422, "control_character")
        blank = await api.post(f"/dead-letters/{QUEUE}/discard", {"reason": "   "})
        assert (blank.status_code, blank.json()["error"]["code"]) == (422, "invalid_reason")
        too_long = await api.post(f"/dead-letters/{QUEUE}/discard", {"reason": "x" * 501})
        assert too_long.status_code == 422
        await api.post(f"/dead-letters/{QUEUE}/replay", {"ids": [str(row.id)]})
        not_dead = await api.post(f"/dead-letters/{QUEUE}/discard", {"reason": "late", "ids": [str(row.id)]})
        assert (not_dead.status_code, not_dead.json()["error"]["code"]) == (409, "dead_letter_not_dead")
        steward = await api.get("/dead-letters", role="steward")
        assert steward.status_code == 403
        assert (await api.get(f"/dead-letters/{OTHER_QUEUE}x")).json()["error"]["code"] == "unknown_queue"
