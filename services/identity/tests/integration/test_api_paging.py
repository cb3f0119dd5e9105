"""Keyset paging of /members and /audit-log: after=<cursor> in, next_cursor out; limit/offset unchanged."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from habitat_common.testing import every_page
from habitat_common.web.inputs import MAX_LIMIT
from habitat_common.web.paging import encode_cursor
from habitat_identity.adapters.orm import audit_log
from sqlalchemy import insert

from tests.integration.conftest import a_stored_member, bearer

pytestmark = pytest.mark.integration


async def audit_entries(app, moments: list[datetime]) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in moments]
    async with app.state.container.session_factory() as session, session.begin():
        for entry_id, at in zip(ids, moments, strict=True):
            await session.execute(insert(audit_log).values(id=entry_id, action="member.updated", at=at))
    return ids


class TestMembersByKeyset:
    async def test_pages_cover_every_member_once_and_the_last_says_no_next(self, local_app, local_client, local_keys):
        for letter in "abcde":
            await a_stored_member(local_app, email=f"{letter}@example.org")
        steward = bearer(local_keys.mint(uuid.uuid4(), "steward"))
        found = await every_page(local_client, "/members", steward, limit=2)
        assert [[m["email"][0] for m in page] for page in found] == [["a", "b"], ["c", "d"], ["e"]]
        first = (await local_client.get("/members", headers=steward, params={"limit": 2})).json()
        assert first["total"] == 5 and first["next_cursor"]
        exact = (await local_client.get("/members", headers=steward, params={"limit": 5})).json()
        assert exact["next_cursor"] is None and len(exact["items"]) == 5

    async def test_a_member_added_between_pages_is_neither_lost_nor_repeated(self, local_app, local_client, local_keys):
        for letter in "bdf":
            await a_stored_member(local_app, email=f"{letter}@example.org")
        steward = bearer(local_keys.mint(uuid.uuid4(), "steward"))
        first = (await local_client.get("/members", headers=steward, params={"limit": 2})).json()
        await a_stored_member(local_app, email="a@example.org")  # before the cursor: an offset would repeat "d"
        await a_stored_member(local_app, email="e@example.org")  # after the cursor: must come
        rest = await local_client.get("/members", headers=steward, params={"limit": 2, "after": first["next_cursor"]})
        assert [m["email"][0] for m in first["items"]] == ["b", "d"]
        assert [m["email"][0] for m in rest.json()["items"]] == ["e", "f"] and rest.json()["next_cursor"] is None

    async def test_filters_and_search_combine_with_the_cursor(self, local_app, local_client, local_keys):
        for email, role in [("ann@x.org", "steward"), ("bob@x.org", "member"), ("cy@x.org", "steward"),
                            ("dee@x.org", "steward"), ("ed@y.org", "steward")]:  # fmt: skip
            await a_stored_member(local_app, email=email, role=role)
        admin = bearer(local_keys.mint(uuid.uuid4(), "admin"))
        found = await every_page(local_client, "/members", admin, limit=1, role="steward", q="x.org")
        assert [m["email"] for page in found for m in page] == ["ann@x.org", "cy@x.org", "dee@x.org"]

    async def test_limit_edges_one_and_max(self, local_app, local_client, local_keys):
        for _ in range(3):
            await a_stored_member(local_app)
        steward = bearer(local_keys.mint(uuid.uuid4(), "steward"))
        assert [len(page) for page in await every_page(local_client, "/members", steward, limit=1)] == [1, 1, 1]
        assert [len(page) for page in await every_page(local_client, "/members", steward, limit=MAX_LIMIT)] == [3]
        over = await local_client.get("/members", headers=steward, params={"limit": MAX_LIMIT + 1})
        assert over.status_code == 422

    @pytest.mark.parametrize(
        "cursor",
        [
            "not-a-cursor",
            "%%%",
            encode_cursor("audit-log", datetime.now(UTC), uuid.uuid4()),  # another list's cursor
            encode_cursor("members", "a@example.org", "not-a-uuid"),
            encode_cursor("members", "a@example.org"),
            "x" * 513,
        ],
    )
    async def test_a_bad_cursor_is_refused_with_a_sentence(self, local_client, local_keys, cursor):
        steward = bearer(local_keys.mint(uuid.uuid4(), "steward"))
        response = await local_client.get("/members", headers=steward, params={"after": cursor})
        assert response.status_code == 422
        assert response.json()["error"]["code"] in {"invalid_cursor", "invalid_request"}
        assert "after" in response.json()["error"]["message"]


class TestAuditLogByKeyset:
    async def test_newest_first_ties_by_id_and_new_entries_do_not_repeat(self, local_app, local_client, local_keys):
        now = datetime(2026, 3, 1, 12, tzinfo=UTC)
        moments = [now, now, now, now - timedelta(seconds=1), now - timedelta(microseconds=1)]
        ids = await audit_entries(local_app, moments)
        admin = bearer(local_keys.mint(uuid.uuid4(), "admin"))
        first = (await local_client.get("/audit-log", headers=admin, params={"limit": 2})).json()
        [newer] = await audit_entries(local_app, [now + timedelta(hours=1)])  # lands on page one: not seen again
        rest = await every_page(local_client, "/audit-log", admin, limit=2, after=first["next_cursor"])
        seen = [e["id"] for e in first["items"]] + [e["id"] for page in rest for e in page]
        expected = sorted(str(i) for i in ids[:3]) + [str(ids[4]), str(ids[3])]  # ties at one moment: by id
        assert seen == expected and str(newer) not in seen

    async def test_subject_filter_combines_with_the_cursor_and_a_bad_cursor_is_refused(
        self, local_app, local_client, local_keys
    ):
        admin = bearer(local_keys.mint(uuid.uuid4(), "admin"))
        subject = uuid.uuid4()
        async with local_app.state.container.session_factory() as session, session.begin():
            for minute in range(3):
                for who in (subject, uuid.uuid4()):
                    at = datetime(2026, 3, 1, 12, minute, tzinfo=UTC)
                    await session.execute(insert(audit_log).values(id=uuid.uuid4(), action="x", subject_id=who, at=at))
        found = await every_page(local_client, "/audit-log", admin, limit=1, subject_id=str(subject))
        assert [len(p) for p in found] == [1, 1, 1] and {e["subject_id"] for p in found for e in p} == {str(subject)}
        naive = encode_cursor("audit-log", datetime(2026, 3, 1), uuid.uuid4())
        refused = await local_client.get("/audit-log", headers=admin, params={"after": naive})
        assert (refused.status_code, refused.json()["error"]["code"]) == (422, "invalid_cursor")


class TestAuditLogSearch:
    async def entries(self, app, rows: list[tuple[str, uuid.UUID | None, uuid.UUID | None]]) -> None:
        now = datetime.now(UTC) + timedelta(hours=1)  # newer than the members' own "member.created" entries
        async with app.state.container.session_factory() as session, session.begin():
            for n, (action, actor, subject) in enumerate(rows):
                await session.execute(insert(audit_log).values(
                    id=uuid.uuid4(), action=action, actor_id=actor, subject_id=subject, at=now - timedelta(seconds=n)))

    async def test_q_finds_the_action_or_the_people_by_email_or_name_and_pages_on(self, local_app, local_client, local_keys):
        ana, _ = await a_stored_member(local_app, email="ana@coop.example")
        bo, _ = await a_stored_member(local_app, email="bo@coop.example")
        await self.entries(local_app, [
            ("member.role_changed", ana.id, bo.id), ("member.updated", bo.id, bo.id), ("period.opened", None, None),
            ("member.deactivated", ana.id, None), ("distribution.completed", None, None),
        ])
        admin = bearer(local_keys.mint(uuid.uuid4(), "admin"))
        by_actor = await every_page(local_client, "/audit-log", admin, limit=1, q="ANA@coop")
        # her own creation (she is its subject) comes last, oldest
        assert [e["action"] for page in by_actor for e in page] == [
            "member.role_changed", "member.deactivated", "member.created"]
        by_subject = (await local_client.get("/audit-log", headers=admin, params={"q": "bo@"})).json()
        assert [e["action"] for e in by_subject["items"]] == ["member.role_changed", "member.updated", "member.created"]
        assert by_subject["total"] == 3
        by_action = (await local_client.get("/audit-log", headers=admin, params={"q": "period."})).json()
        assert [e["action"] for e in by_action["items"]] == ["period.opened"]

    async def test_wildcards_are_taken_literally_and_a_long_query_is_refused(self, local_app, local_client, local_keys):
        await self.entries(local_app, [("member.updated", None, None), ("weird_%action", None, None)])
        admin = bearer(local_keys.mint(uuid.uuid4(), "admin"))
        everything = (await local_client.get("/audit-log", headers=admin, params={"q": "%"})).json()
        assert [e["action"] for e in everything["items"]] == ["weird_%action"]
        underscore = (await local_client.get("/audit-log", headers=admin, params={"q": "d_"})).json()
        assert [e["action"] for e in underscore["items"]] == ["weird_%action"]
        too_long = await local_client.get("/audit-log", headers=admin, params={"q": "x" * 201})
        assert too_long.status_code == 422
