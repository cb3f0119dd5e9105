"""A review decision names the revision the reviewer saw (issue 13): through the HTTP API and PostgreSQL."""

import asyncio
import uuid

import pytest

from tests.integration.db import open_q1, outbox_rows
from tests.integration.test_http import auth, submit

pytestmark = pytest.mark.integration
APPROVED_KEY = "contributions.contribution_approved.v1"


def steward_headers(keys) -> dict:
    return auth(keys, uuid.uuid4(), "steward")


async def looked_at(client, keys, member: uuid.UUID) -> dict:
    """A fresh pending contribution of member's as a steward reads it (its current revision)."""
    created = (await submit(client, keys, member)).json()
    return (await client.get(f"/contributions/{created['id']}", headers=steward_headers(keys))).json()


async def edit(client, keys, member: uuid.UUID, contribution_id: str, hours: str = "5"):
    return await client.patch(f"/contributions/{contribution_id}", json={"hours": hours}, headers=auth(keys, member))


class TestStaleRevision:
    async def test_an_edit_between_the_look_and_the_approval_is_a_409_with_a_sentence(self, client, keys, container):
        await open_q1(container)
        member = uuid.uuid4()
        seen = await looked_at(client, keys, member)
        assert seen["revision"] == 1
        assert (await edit(client, keys, member, seen["id"])).status_code == 200
        approve = await client.post(
            f"/contributions/{seen['id']}/approve", json={"expected_revision": 1}, headers=steward_headers(keys)
        )
        assert approve.status_code == 409, approve.text
        error = approve.json()["error"]
        assert error["code"] == "stale_revision"
        assert "revision 1" in error["message"] and "now revision 2" in error["message"]
        current = (await client.get(f"/contributions/{seen['id']}", headers=auth(keys, member))).json()
        assert (current["status"], current["approvals"], current["revision"]) == ("pending", [], 2)
        assert await outbox_rows(container, APPROVED_KEY) == []
        again = await client.post(
            f"/contributions/{seen['id']}/approve", json={"expected_revision": 2}, headers=steward_headers(keys)
        )
        assert (again.status_code, again.json()["status"]) == (200, "approved")

    async def test_reject_and_question_check_it_too_and_without_it_nothing_changes(self, client, keys, container):
        await open_q1(container)
        member = uuid.uuid4()
        seen = await looked_at(client, keys, member)
        await edit(client, keys, member, seen["id"])
        for action, body in (
            ("reject", {"reason": "Not work for the co-op"}),
            ("request-clarification", {"question": "Which shed was it?"}),
        ):
            stale = await client.post(
                f"/contributions/{seen['id']}/{action}",
                json={**body, "expected_revision": 1},
                headers=steward_headers(keys),
            )
            assert (stale.status_code, stale.json()["error"]["code"]) == (409, "stale_revision")
        unchecked = await client.post(
            f"/contributions/{seen['id']}/approve", json={"note": "Fine"}, headers=steward_headers(keys)
        )
        assert unchecked.status_code == 200 and unchecked.json()["status"] == "approved"
        bare = await looked_at(client, keys, member)  # no body at all, as before
        assert (
            await client.post(f"/contributions/{bare['id']}/approve", headers=steward_headers(keys))
        ).status_code == 200

    async def test_batch_approve_checks_each_item_on_its_own(self, client, keys, container):
        await open_q1(container)
        member = uuid.uuid4()
        stale, fresh, unnamed = [await looked_at(client, keys, member) for _ in range(3)]
        await edit(client, keys, member, stale["id"])
        await edit(client, keys, member, unnamed["id"])
        body = {
            "ids": [stale["id"], fresh["id"], unnamed["id"]],
            "expected_revisions": {stale["id"]: 1, fresh["id"]: 1},
        }
        response = await client.post("/contributions/batch-approve", json=body, headers=steward_headers(keys))
        results = {r["id"]: r for r in response.json()["results"]}
        assert results[stale["id"]]["ok"] is False and results[stale["id"]]["error"]["code"] == "stale_revision"
        assert results[fresh["id"]]["status"] == results[unnamed["id"]]["status"] == "approved"
        stray = {"ids": [fresh["id"]], "expected_revisions": {stale["id"]: 2}}
        refused = await client.post("/contributions/batch-approve", json=stray, headers=steward_headers(keys))
        assert refused.status_code == 422


class TestEditRacingApproval:
    async def test_exactly_one_wins_and_the_outcome_is_consistent(self, client, keys, container):
        await open_q1(container)
        member = uuid.uuid4()
        wins = {"approve": 0, "edit": 0}
        for _ in range(6):
            seen = await looked_at(client, keys, member)
            approval = client.post(
                f"/contributions/{seen['id']}/approve", json={"expected_revision": 1}, headers=steward_headers(keys)
            )
            edited, approved = await asyncio.gather(edit(client, keys, member, seen["id"]), approval)
            assert sorted([edited.status_code, approved.status_code]) == [200, 409], [edited.text, approved.text]
            final = (await client.get(f"/contributions/{seen['id']}", headers=auth(keys, member))).json()
            if approved.status_code == 200:
                wins["approve"] += 1
                assert edited.json()["error"]["code"] == "already_decided"
                assert (final["status"], final["revision"], final["value"]) == ("approved", 1, "350.00")
            else:
                wins["edit"] += 1
                assert approved.json()["error"]["code"] == "stale_revision"
                assert (final["status"], final["revision"], final["approvals"]) == ("pending", 2, [])
        assert len(await outbox_rows(container, APPROVED_KEY)) == wins["approve"]
