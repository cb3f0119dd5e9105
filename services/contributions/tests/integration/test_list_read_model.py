"""The contributions list is a read model (one column-level query): it answers exactly what the entity path does."""

import uuid

import pytest

from tests.integration.db import open_q1
from tests.integration.test_http import auth, submit

pytestmark = pytest.mark.integration


async def reviewed(client, keys, member: uuid.UUID) -> str:
    """A contribution with two revisions, a question, an answer and an approval with a note."""
    steward = auth(keys, uuid.uuid4(), "steward")
    created = (await submit(client, keys, member)).json()["id"]
    edited = await client.patch(f"/contributions/{created}", json={"hours": "5"}, headers=auth(keys, member))
    assert edited.status_code == 200, edited.text
    asked = await client.post(f"/contributions/{created}/request-clarification",
                              json={"question": "Which shed was it exactly?"}, headers=steward)
    assert asked.status_code == 200, asked.text
    answered = await client.post(f"/contributions/{created}/respond",
                                 json={"answer": "The tool shed by the gate."}, headers=auth(keys, member))
    assert answered.status_code == 200, answered.text
    approved = await client.post(f"/contributions/{created}/approve", json={"note": "Thanks, all clear."},
                                 headers=steward)
    assert approved.status_code == 200, approved.text
    return created


class TestListContributions:
    async def test_a_listed_contribution_is_the_one_read_alone(self, client, keys, container):
        await open_q1(container)
        member = uuid.uuid4()
        contribution_id = await reviewed(client, keys, member)
        await submit(client, keys, member)

        listed = (await client.get("/contributions", headers=auth(keys, member))).json()
        alone = (await client.get(f"/contributions/{contribution_id}", headers=auth(keys, member))).json()

        assert listed["total"] == 2
        assert [i for i in listed["items"] if i["id"] == contribution_id] == [alone]
        assert (alone["revision"], len(alone["revisions"]), len(alone["thread"]), len(alone["approvals"])) == (
            2, 2, 3, 1)
        fresh = next(i for i in listed["items"] if i["id"] != contribution_id)
        assert (fresh["approvals"], fresh["thread"], fresh["revision"]) == ([], [], 1)

    async def test_the_total_counts_every_match_on_every_page(self, client, keys, container):
        await open_q1(container)
        member = uuid.uuid4()
        for _ in range(5):
            await submit(client, keys, member)
        pages = [
            (await client.get("/contributions", params={"limit": 2, "offset": offset},
                              headers=auth(keys, member))).json()
            for offset in (0, 2, 4, 6)
        ]
        assert [len(p["items"]) for p in pages] == [2, 2, 1, 0]
        assert [p["total"] for p in pages] == [5, 5, 5, 5]
        ids = [i["id"] for p in pages for i in p["items"]]
        assert len(set(ids)) == 5
        times = [i["submitted_at"] for p in pages for i in p["items"]]
        assert times == sorted(times, reverse=True)

    async def test_a_member_never_lists_someone_elses(self, client, keys, container):
        await open_q1(container)
        member, other = uuid.uuid4(), uuid.uuid4()
        await submit(client, keys, other)
        mine = (await client.get("/contributions", headers=auth(keys, member))).json()
        asked = (await client.get("/contributions", params={"member_id": str(other)},
                                  headers=auth(keys, member))).json()
        assert mine == asked == {"items": [], "total": 0, "next_cursor": None}
