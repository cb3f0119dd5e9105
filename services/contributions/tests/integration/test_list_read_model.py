"""The contributions list and one contribution are read models (one column-level query each, on the read pool):
they answer exactly what the entity path does."""

import uuid
from datetime import UTC, datetime

import pytest
from fastapi.responses import JSONResponse
from sqlalchemy import event

from habitat_common.api.contributions import ContributionDetail, ContributionList
from habitat_common.web.paging import encode_cursor
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


class TestOnTheReadPool:
    async def test_answers_are_byte_for_byte_those_of_the_entity_path(self, client, keys, container):
        await open_q1(container)
        member = uuid.uuid4()
        ids = [
            await reviewed(client, keys, member),
            (await submit(client, keys, member, type="capital", amount="1234.5", hours=None)).json()["id"],
            (
                await submit(
                    client, keys, member, type="property", fair_market_value="80", adjusted_basis="0.1", hours=None,
                    description="Réparé la clôture — 5 m² « neuve »",
                )
            ).json()["id"],
        ]
        listed = await client.get("/contributions", headers=auth(keys, member))
        alone = [await client.get(f"/contributions/{i}", headers=auth(keys, member)) for i in ids]

        async with container.uow() as uow:
            entities = [await uow.contributions.get(uuid.UUID(i)) for i in ids]
            # as the routes answered from entities: the list with pydantic's JSON, one contribution through FastAPI
            was_listed = ContributionList.model_validate({"items": entities[::-1], "total": 3}).model_dump_json()
            was_alone = [
                JSONResponse(ContributionDetail.model_validate(e).model_dump(mode="json")).body for e in entities
            ]
        assert listed.content == was_listed.encode()
        assert [a.content for a in alone] == was_alone
        assert {a.headers["content-type"] for a in alone} == {"application/json"}

    async def test_reads_open_no_session(self, client, keys, container):
        await open_q1(container)
        member = uuid.uuid4()
        created = (await submit(client, keys, member)).json()["id"]
        checkouts = []

        def checkout(*_):
            checkouts.append(1)

        event.listen(container.engine.sync_engine, "checkout", checkout)
        try:
            listed = await client.get("/contributions", params={"q": "garden"}, headers=auth(keys, member))
            alone = await client.get(f"/contributions/{created}", headers=auth(keys, member))
            intake = await client.get(f"/periods/{uuid.uuid4()}/intake", headers=auth(keys, uuid.uuid4(), "steward"))
            read = len(checkouts)
            # control: a submission still writes through the ORM
            await submit(client, keys, member)
        finally:
            event.remove(container.engine.sync_engine, "checkout", checkout)
        assert (listed.json()["total"], alone.status_code, intake.status_code) == (1, 200, 200)
        assert read == 0 and len(checkouts) > 0

    async def test_empty_pages_past_the_end_still_count_the_matches(self, client, keys, container):
        await open_q1(container)
        member = uuid.uuid4()
        for description in ("Weeded the fence line", "Painted the fence", "Built raised garden beds"):
            await submit(client, keys, member, description=description)
        mine = auth(keys, member)
        long_ago = encode_cursor("contributions", datetime(2000, 1, 1, tzinfo=UTC), uuid.uuid4())
        after_the_last = await client.get("/contributions", params={"q": "FENCE", "after": long_ago}, headers=mine)
        beyond = await client.get("/contributions", params={"q": "fence", "offset": 5, "type": "labor"}, headers=mine)
        nothing = await client.get("/contributions", params={"q": "roof", "offset": 5}, headers=mine)
        assert after_the_last.json() == beyond.json() == {"items": [], "total": 2, "next_cursor": None}
        assert nothing.json() == {"items": [], "total": 0, "next_cursor": None}

    async def test_an_unknown_contribution_is_404_to_everyone(self, client, keys, container):
        for headers in (auth(keys, uuid.uuid4()), auth(keys, uuid.uuid4(), "steward")):
            response = await client.get(f"/contributions/{uuid.uuid4()}", headers=headers)
            assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
