"""Keyset paging and search of /contributions and /review-queue: after=<cursor> in, next_cursor out."""

import uuid

import pytest

from habitat_common.testing import every_page
from habitat_common.web.inputs import MAX_LIMIT
from tests.integration.db import active_member, open_q1
from tests.integration.test_http import LABOR, auth, submit

pytestmark = pytest.mark.integration


async def submitted(client, keys, member, n: int, description: str = "Mended the tool shed") -> list[str]:
    ids = []
    for i in range(n):
        response = await submit(client, keys, member, description=f"{description} ({i})")
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


class TestContributionsByKeyset:
    async def test_pages_cover_all_newest_first_and_a_new_one_is_not_repeated(self, client, keys, container):
        await open_q1(container)
        member = uuid.uuid4()
        ids = await submitted(client, keys, member, 5)
        mine = auth(keys, member)
        first = (await client.get("/contributions", params={"limit": 2}, headers=mine)).json()
        [newer] = await submitted(client, keys, member, 1)  # lands before the cursor: an offset would repeat one
        rest = await every_page(client, "/contributions", mine, limit=2, after=first["next_cursor"])
        seen = [c["id"] for c in first["items"]] + [c["id"] for page in rest for c in page]
        assert seen == ids[::-1] and newer not in seen
        assert [len(p) for p in rest] == [2, 1] and first["total"] == 5

    async def test_limit_edges_and_a_plain_member_stays_on_their_own(self, client, keys, container):
        await open_q1(container)
        member, other = uuid.uuid4(), uuid.uuid4()
        ids = await submitted(client, keys, member, 3)
        await submitted(client, keys, other, 2)
        one_by_one = await every_page(client, "/contributions", auth(keys, member), limit=1)
        assert [c["id"] for page in one_by_one for c in page] == ids[::-1] and len(one_by_one) == 3
        at_most = await every_page(client, "/contributions", auth(keys, member), limit=MAX_LIMIT)
        assert [len(p) for p in at_most] == [3]

    async def test_search_finds_wildcards_literally_and_combines_with_the_cursor(self, client, keys, container):
        await open_q1(container)
        member = uuid.uuid4()
        await submitted(client, keys, member, 3, "Fixed 100%_of the fence")
        await submitted(client, keys, member, 2, "Fixed 1000 of the fence")
        mine = auth(keys, member)
        found = await every_page(client, "/contributions", mine, limit=2, q="100%_")
        assert [len(p) for p in found] == [2, 1]
        assert {c["description"][:23] for p in found for c in p} == {"Fixed 100%_of the fence"}
        total = (await client.get("/contributions", params={"q": "FENCE"}, headers=mine)).json()["total"]
        assert total == 5

    @pytest.mark.parametrize("path", ["/contributions", "/review-queue"])
    async def test_a_bad_cursor_is_refused(self, client, keys, container, path):
        await open_q1(container)
        steward = auth(keys, uuid.uuid4(), "steward")
        await submitted(client, keys, uuid.uuid4(), 2)
        other = "/review-queue" if path == "/contributions" else "/contributions"
        foreign = (await client.get(other, params={"limit": 1}, headers=steward)).json()["next_cursor"]
        for cursor in ("garbage", foreign):
            refused = await client.get(path, params={"after": cursor}, headers=steward)
            assert (refused.status_code, refused.json()["error"]["code"]) == (422, "invalid_cursor")


class TestReviewQueueByKeyset:
    async def test_oldest_first_by_name_search_and_a_new_one_comes_last(self, client, keys, container):
        await open_q1(container)
        steward = auth(keys, uuid.uuid4(), "steward")
        zelda = await active_member(container, name="Zelda Quist")
        ids = []
        for i in range(3):
            body = LABOR | {"description": f"Weeding the beds {i}"}
            response = await client.post("/contributions", json=body, headers=auth(keys, zelda))
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        await submitted(client, keys, uuid.uuid4(), 2)  # someone else's
        first = (await client.get("/review-queue", params={"limit": 2, "q": "zelda"}, headers=steward)).json()
        assert [c["member_name"] for c in first["items"]] == ["Zelda Quist"] * 2 and first["total"] == 3
        response = await client.post("/contributions", json=LABOR, headers=auth(keys, zelda))
        rest = await every_page(client, "/review-queue", steward, limit=2, q="zelda", after=first["next_cursor"])
        seen = [c["id"] for c in first["items"]] + [c["id"] for p in rest for c in p]
        assert seen == [*ids, response.json()["id"]]

    async def test_filters_combine_with_the_cursor(self, client, keys, container):
        await open_q1(container)
        steward = auth(keys, uuid.uuid4(), "steward")
        member = uuid.uuid4()
        labor = await submitted(client, keys, member, 3)
        capital = {
            "type": "capital",
            "contributed_on": "2026-02-10",
            "description": "Cash for the new roof",
            "amount": "10.00",
        }
        await submit(client, keys, member, capital)
        found = await every_page(client, "/review-queue", steward, limit=1, type="labor", member_id=str(member))
        assert [c["id"] for p in found for c in p] == labor
