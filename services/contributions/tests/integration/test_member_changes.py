"""The member change feed (GET /member-changes): every committed write a member's dashboard shows names them,
once per statement, whoever wrote it; nothing else does."""

import uuid

import pytest
from sqlalchemy import text

from tests.integration.db import open_q1
from tests.integration.imports import coop, csv_file, post_import, row
from tests.integration.test_http import auth, submit
from tests.integration.test_review_http import CAPITAL, post

pytestmark = pytest.mark.integration


class Feed:
    """Reads the feed from where the previous read stopped."""

    def __init__(self, client) -> None:
        self.client = client
        self.cursor = 0

    async def named(self) -> list[uuid.UUID]:
        """The members named since the last read, in feed order (one entry per member per statement)."""
        response = await self.client.get("/member-changes", params={"after": self.cursor})
        assert response.status_code == 200, response.text
        page = response.json()
        ids = [change["id"] for change in page["changes"]]
        assert ids == sorted(ids) and all(i > self.cursor for i in ids)
        self.cursor = page["cursor"]
        return [uuid.UUID(change["member_id"]) for change in page["changes"]]


class TestEveryWriteNamesTheContributor:
    async def test_submit_edit_question_answer_approvals_and_rejection(self, client, keys, container):
        await open_q1(container)
        feed = Feed(client)
        me, other, a, b = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        assert await feed.named() == []
        c = (await submit(client, keys, me)).json()
        assert set(await feed.named()) == {me}
        edited = await client.patch(f"/contributions/{c['id']}", json={"hours": "5"}, headers=auth(keys, me))
        assert edited.status_code == 200
        assert set(await feed.named()) == {me}
        await post(client, keys, a, f"/contributions/{c['id']}/request-clarification", {"question": "Which beds?"})
        assert set(await feed.named()) == {me}
        answer = {"answer": "The three beds by the shed"}
        assert (await post(client, keys, me, f"/contributions/{c['id']}/respond", answer, role="member")).is_success
        assert set(await feed.named()) == {me}
        big = (await submit(client, keys, me, CAPITAL, amount="6000.00")).json()
        await feed.named()
        # the first of two approvals changes nothing but the approvals: the dashboard shows them, so it is named
        first = await post(client, keys, a, f"/contributions/{big['id']}/approve")
        assert first.json()["status"] == "pending"
        assert set(await feed.named()) == {me}
        assert (await post(client, keys, b, f"/contributions/{big['id']}/approve", role="admin")).is_success
        assert set(await feed.named()) == {me}
        rejected = await post(client, keys, a, f"/contributions/{c['id']}/reject", {"reason": "Outside co-op work"})
        assert rejected.status_code == 200
        assert set(await feed.named()) == {me}
        await submit(client, keys, other)
        assert set(await feed.named()) == {other}

    async def test_a_refused_write_names_nobody(self, client, keys, container):
        await open_q1(container)
        feed = Feed(client)
        me, steward = uuid.uuid4(), uuid.uuid4()
        c = (await submit(client, keys, me)).json()
        await post(client, keys, steward, f"/contributions/{c['id']}/approve")
        await feed.named()
        late = await client.patch(f"/contributions/{c['id']}", json={"hours": "1"}, headers=auth(keys, me))
        assert late.status_code == 409
        own = await post(client, keys, me, f"/contributions/{c['id']}/approve", role="admin")
        assert own.status_code in (403, 409)
        assert await feed.named() == []

    async def test_an_import_names_each_member_once_per_statement(self, client, keys, container):
        people = await coop(container)
        feed = Feed(client)
        data = csv_file(*(row(f"r{i}", member=f"{name}@example.coop") for i, name in enumerate(["ana", "ben"] * 20)))
        response = await post_import(client, keys, people.ada, data)
        assert response.status_code == 200, response.text
        named = await feed.named()
        assert set(named) == {people.ana, people.ben}
        # 40 rows: the contributions and their approvals are two statements, each naming the two members once
        assert len(named) <= 2 * 2 + 2

    async def test_a_statement_by_hand_names_each_member_it_touched_once(self, client, keys, container):
        await open_q1(container)
        ana, ben = uuid.uuid4(), uuid.uuid4()
        for member in (ana, ben, ana):
            await submit(client, keys, member)
        feed = Feed(client)
        await feed.named()
        async with container.engine.begin() as conn:
            await conn.execute(text("UPDATE contributions.contribution SET description = description || ' (fixed)'"))
        assert sorted(await feed.named()) == sorted([ana, ben])
        async with container.engine.connect() as conn:
            transaction = await conn.begin()
            await conn.execute(text("UPDATE contributions.contribution SET description = 'rolled back'"))
            await transaction.rollback()
        assert await feed.named() == []


class TestTheFeed:
    async def test_from_scratch_only_the_last_minute_and_after_a_cursor_everything_newer(self, client, container):
        old, recent = uuid.uuid4(), uuid.uuid4()
        async with container.engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO contributions.member_change (member_id, changed_at) VALUES (:m, now() - interval '2 minutes')"),
                {"m": old},
            )
            await conn.execute(text("INSERT INTO contributions.member_change (member_id) VALUES (:m)"), {"m": recent})
        scratch = (await client.get("/member-changes")).json()
        assert [c["member_id"] for c in scratch["changes"]] == [str(recent)]
        first = scratch["changes"][0]["id"]
        assert scratch["cursor"] == first
        assert (await client.get("/member-changes", params={"after": first})).json() == {
            "cursor": first, "changes": [], "reset": False}
        everything = (await client.get("/member-changes", params={"after": 1})).json()
        assert str(recent) in [c["member_id"] for c in everything["changes"]]

    async def test_pages_of_a_thousand(self, client, container):
        async with container.engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO contributions.member_change (member_id) SELECT gen_random_uuid() FROM generate_series(1, 1500)"
            ))
        first = (await client.get("/member-changes")).json()
        assert len(first["changes"]) == 1000
        rest = (await client.get("/member-changes", params={"after": first["cursor"]})).json()
        assert len(rest["changes"]) == 500

    async def test_a_cursor_beyond_every_id_issued_says_reset(self, client, container):
        """The database was restored from a backup taken before the poller's cursor: it must start over."""
        async with container.engine.begin() as conn:
            await conn.execute(text("INSERT INTO contributions.member_change (member_id) VALUES (gen_random_uuid())"))
        latest = (await client.get("/member-changes")).json()["cursor"]
        assert (await client.get("/member-changes", params={"after": latest})).json() == {
            "cursor": latest, "changes": [], "reset": False}
        assert (await client.get("/member-changes", params={"after": latest + 500})).json() == {
            "cursor": latest, "changes": [], "reset": True}

    @pytest.mark.parametrize("after", ["-1", "x", str(2**63)])
    async def test_a_bad_cursor_is_a_422(self, client, after):
        response = await client.get("/member-changes", params={"after": after})
        assert response.status_code == 422
        assert response.json()["error"]["code"]
