import uuid
from datetime import timedelta

import pytest

from habitat_common.testing import LocalKeys
from tests.integration.db import active_member, count, open_q1, outbox_rows

LABOR = {"type": "labor", "contributed_on": "2026-02-10", "description": "Built raised garden beds", "hours": "3.5"}
APPROVED_KEY = "contributions.contribution_approved.v1"


def auth(keys: LocalKeys, member_id: uuid.UUID, role: str = "member", **kwargs) -> dict:
    return {"Authorization": f"Bearer {keys.mint(member_id, role, **kwargs)}"}


async def submit(client, keys, member_id, body=None, *, headers=None, **changes):
    """Submit as member_id, first making sure the replica knows them as active."""
    await active_member(client.container, member_id)
    return await client.post(
        "/contributions", json={**(body or LABOR), **changes}, headers={**auth(keys, member_id), **(headers or {})}
    )


class TestAuthentication:
    async def test_missing_expired_and_foreign_tokens_are_401(self, client, keys):
        me = uuid.uuid4()
        assert (await client.get("/contributions")).status_code == 401
        expired = auth(keys, me, expires_in=timedelta(seconds=-5))
        assert (await client.get("/contributions", headers=expired)).status_code == 401
        foreign = auth(LocalKeys(), me)
        response = await client.get("/contributions", headers=foreign)
        assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"

    async def test_token_pending_password_change_is_refused(self, client, keys):
        response = await client.get("/contributions", headers=auth(keys, uuid.uuid4(), must_change_password=True))
        assert response.status_code == 403 and response.json()["error"]["code"] == "password_change_required"


class TestSubmitContribution:
    async def test_labor_is_valued_at_hours_times_default_rate(self, client, keys, container):
        period_id = await open_q1(container)
        me = uuid.uuid4()
        response = await submit(client, keys, me)
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["value"], body["book_amount"], body["tax_amount"], body["rate"], body["hours"]) == (
            "350.00",
            "0.00",
            "0.00",
            "100.00",
            "3.50",
        )
        assert (body["member_id"], body["period_id"], body["status"]) == (str(me), str(period_id), "pending")
        [row] = await outbox_rows(container, "contributions.contribution_submitted.v1")
        assert row.payload["payload"]["contribution_id"] == body["id"]

    async def test_property_book_at_fmv_tax_at_basis(self, client, keys, container):
        await open_q1(container)
        body = {
            "type": "property",
            "contributed_on": "2026-03-01",
            "description": "Donated a chest freezer",
            "fair_market_value": "450",
            "adjusted_basis": "120.10",
        }
        response = await submit(client, keys, uuid.uuid4(), body)
        assert response.status_code == 201, response.text
        assert (response.json()["book_amount"], response.json()["tax_amount"]) == ("450.00", "120.10")

    async def test_date_outside_open_periods_is_409_naming_the_date(self, client, keys, container):
        await open_q1(container)
        response = await submit(client, keys, uuid.uuid4(), contributed_on="2026-04-02")
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "period_not_open"
        assert "2026-04-02" in response.json()["error"]["message"]
        assert await count(container, "contribution") == 0 and await count(container, "outbox") == 0

    async def test_correlation_id_travels_into_the_event_envelope(self, client, keys, container):
        await open_q1(container)
        correlation_id = str(uuid.uuid4())
        response = await submit(client, keys, uuid.uuid4(), headers={"X-Correlation-ID": correlation_id})
        assert response.headers["X-Correlation-ID"] == correlation_id
        [row] = await outbox_rows(container)
        assert row.payload["correlation_id"] == correlation_id

    @pytest.mark.parametrize(
        "changes,code",
        [
            ({"rate": "150.01"}, "rate_out_of_range"),
            ({"hours": "1.005"}, "amount_too_precise"),
            ({"hours": "25"}, "hours_out_of_range"),
            ({"hours": 8}, "amount_not_string"),
            ({"description": "work work work"}, "invalid_description"),
            ({"amount": "10.00"}, "unexpected_field"),
            ({"hours": "abc"}, "invalid_amount"),
            ({"contributed_on": "tomorrow"}, "invalid_date"),
        ],
    )
    async def test_invalid_input_is_422_with_a_code(self, client, keys, container, changes, code):
        await open_q1(container)
        response = await submit(client, keys, uuid.uuid4(), **changes)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == code


class TestApproveContribution:
    async def test_steward_approves_once_and_one_event_is_written(self, client, keys, container):
        await open_q1(container)
        created = (await submit(client, keys, uuid.uuid4())).json()
        steward = auth(keys, uuid.uuid4(), "steward")
        first = await client.post(f"/contributions/{created['id']}/approve", json={"note": "thanks"}, headers=steward)
        assert first.status_code == 200, first.text
        assert (first.json()["status"], first.json()["decision_note"]) == ("approved", "thanks")
        second = await client.post(f"/contributions/{created['id']}/approve", headers=steward)
        assert second.status_code == 409 and second.json()["error"]["code"] == "already_decided"
        [row] = await outbox_rows(container, APPROVED_KEY)
        assert row.payload["payload"]["value"] == "350.00"

    async def test_submitter_cannot_approve_own_even_as_admin(self, client, keys, container):
        await open_q1(container)
        admin = uuid.uuid4()
        created = (await submit(client, keys, admin)).json()
        response = await client.post(f"/contributions/{created['id']}/approve", headers=auth(keys, admin, "admin"))
        assert response.status_code == 403 and response.json()["error"]["code"] == "self_review"
        assert await outbox_rows(container, APPROVED_KEY) == []

    async def test_member_may_not_approve(self, client, keys, container):
        await open_q1(container)
        created = (await submit(client, keys, uuid.uuid4())).json()
        response = await client.post(f"/contributions/{created['id']}/approve", headers=auth(keys, uuid.uuid4()))
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"

    async def test_unknown_contribution_is_404(self, client, keys):
        response = await client.post(
            f"/contributions/{uuid.uuid4()}/approve", headers=auth(keys, uuid.uuid4(), "admin")
        )
        assert response.status_code == 404


class TestReadContributions:
    async def test_member_sees_only_own_and_others_are_404(self, client, keys, container):
        await open_q1(container)
        me, other = uuid.uuid4(), uuid.uuid4()
        mine = (await submit(client, keys, me)).json()
        theirs = (await submit(client, keys, other)).json()
        listed = (await client.get("/contributions", headers=auth(keys, me))).json()["items"]
        assert [c["id"] for c in listed] == [mine["id"]]
        snooping = await client.get("/contributions", params={"member_id": str(other)}, headers=auth(keys, me))
        assert snooping.json()["items"] == []
        assert (await client.get(f"/contributions/{theirs['id']}", headers=auth(keys, me))).status_code == 404
        assert (await client.get(f"/contributions/{mine['id']}", headers=auth(keys, me))).status_code == 200

    async def test_steward_sees_all_with_filters(self, client, keys, container):
        await open_q1(container)
        one, two = uuid.uuid4(), uuid.uuid4()
        await submit(client, keys, one)
        await submit(
            client,
            keys,
            two,
            {
                "type": "capital",
                "contributed_on": "2026-01-05",
                "description": "Cash toward the tractor fund",
                "amount": "1000",
            },
        )
        steward = auth(keys, uuid.uuid4(), "steward")
        assert len((await client.get("/contributions", headers=steward)).json()["items"]) == 2
        filtered = await client.get("/contributions", params={"type": "capital", "status": "pending"}, headers=steward)
        assert [c["member_id"] for c in filtered.json()["items"]] == [str(two)]
        by_member = await client.get("/contributions", params={"member_id": str(one)}, headers=steward)
        assert [c["member_id"] for c in by_member.json()["items"]] == [str(one)]


class TestReviewQueue:
    async def test_pending_oldest_first_for_stewards_only(self, client, keys, container):
        await open_q1(container)
        first = (await submit(client, keys, uuid.uuid4())).json()
        second = (await submit(client, keys, uuid.uuid4())).json()
        assert (await client.get("/review-queue", headers=auth(keys, uuid.uuid4()))).status_code == 403
        items = (await client.get("/review-queue", headers=auth(keys, uuid.uuid4(), "admin"))).json()["items"]
        assert [i["id"] for i in items] == [first["id"], second["id"]]
        assert items[0]["overdue"] is False and 0 <= items[0]["age_hours"] < 1

    async def test_items_name_their_contributor(self, client, keys, container):
        await open_q1(container)
        member = await active_member(container, name="Rosa Parks")
        submitted = (await client.post("/contributions", json=LABOR, headers=auth(keys, member))).json()
        items = (await client.get("/review-queue", headers=auth(keys, uuid.uuid4(), "steward"))).json()["items"]
        assert [(i["id"], i["member_name"]) for i in items] == [(submitted["id"], "Rosa Parks")]


class TestOperations:
    async def test_health_and_openapi(self, client):
        assert (await client.get("/healthz")).status_code == 200
        schema = (await client.get("/openapi.json")).json()
        assert "/contributions/{contribution_id}/approve" in schema["paths"]
