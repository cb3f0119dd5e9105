"""Rule 10 (bounded corrections), intake dates and money as text, through the HTTP API on PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

import pytest

from habitat_common.coop import CoopSettings
from tests.integration.db import active_member, count, open_q1, outbox_rows
from tests.integration.test_http import auth, submit

pytestmark = pytest.mark.integration

CAPITAL = {
    "type": "capital",
    "contributed_on": "2026-02-11",
    "description": "Cash for the new roof",
    "amount": "500.00",
}
PROPERTY = {
    "type": "property",
    "contributed_on": "2026-02-11",
    "description": "Donated a chest freezer to the kitchen",
    "fair_market_value": "1200.00",
    "adjusted_basis": "800.00",
}
LABOR = {"type": "labor", "contributed_on": "2026-02-10", "description": "Built raised garden beds", "hours": "8"}


async def approve(client, keys, contribution_id, steward=None):
    steward = steward or uuid.uuid4()
    return await client.post(
        f"/contributions/{contribution_id}/approve", json={}, headers=auth(keys, steward, "steward")
    )


async def approved(client, keys, me, body):
    created = await submit(client, keys, me, body)
    assert created.status_code == 201, created.text
    assert (await approve(client, keys, created.json()["id"])).status_code == 200
    return created.json()["id"]


def error_of(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


class TestCorrectionsAtSubmission:
    async def test_each_refusal_has_its_code_and_a_sentence(self, client, keys, container):
        await open_q1(container)
        me = uuid.uuid4()
        original = await approved(client, keys, me, CAPITAL)
        pending = (await submit(client, keys, me, CAPITAL)).json()["id"]
        cases = [
            (me, {**LABOR, "hours": "-1", "corrects_contribution_id": original}, "correction_type_mismatch"),
            (me, {**CAPITAL, "amount": "-1", "corrects_contribution_id": pending}, "correction_of_unapproved"),
            (uuid.uuid4(), {**CAPITAL, "amount": "-1", "corrects_contribution_id": original},
             "correction_of_other_member"),
            (me, {**CAPITAL, "amount": "-500.01", "corrects_contribution_id": original}, "correction_below_zero"),
            (me, {**CAPITAL, "amount": "-1", "corrects_contribution_id": str(uuid.uuid4())},
             "unknown_correction_target"),
        ]  # fmt: skip
        for member, body, code in cases:
            response = await submit(client, keys, member, body)
            assert error_of(response) == (422, code), response.text
            assert response.json()["error"]["message"].endswith(".")
        assert await count(container, "contribution") == 2

    async def test_exactly_reaching_zero_is_allowed(self, client, keys, container):
        await open_q1(container)
        me = uuid.uuid4()
        original = await approved(client, keys, me, CAPITAL)
        fix = await submit(client, keys, me, {**CAPITAL, "amount": "-500.00", "corrects_contribution_id": original})
        assert fix.status_code == 201, fix.text
        assert (await approve(client, keys, fix.json()["id"])).json()["status"] == "approved"

    async def test_a_property_correction_may_fix_the_basis_alone(self, client, keys, container):
        await open_q1(container)
        me = uuid.uuid4()
        original = await approved(client, keys, me, PROPERTY)
        body = {**PROPERTY, "fair_market_value": "0", "adjusted_basis": "-300.00", "corrects_contribution_id": original}
        fix = await submit(client, keys, me, body)
        assert fix.status_code == 201, fix.text
        assert (fix.json()["value"], fix.json()["book_amount"], fix.json()["tax_amount"]) == ("0.00", "0.00", "-300.00")
        too_far = {**body, "adjusted_basis": "-800.01"}
        response = await submit(client, keys, me, too_far)
        assert error_of(response) == (422, "correction_below_zero")
        assert "adjusted basis" in response.json()["error"]["message"]

    async def test_editing_a_pending_correction_below_zero_is_refused(self, client, keys, container):
        await open_q1(container)
        me = uuid.uuid4()
        original = await approved(client, keys, me, CAPITAL)
        fix = (
            await submit(client, keys, me, {**CAPITAL, "amount": "-100", "corrects_contribution_id": original})
        ).json()
        response = await client.patch(f"/contributions/{fix['id']}", json={"amount": "-501"}, headers=auth(keys, me))
        assert error_of(response) == (422, "correction_below_zero")


class TestCorrectionsAtApproval:
    async def test_two_corrections_fine_alone_the_second_approval_is_refused(self, client, keys, container):
        await open_q1(container)
        me = uuid.uuid4()
        original = await approved(client, keys, me, CAPITAL)
        body = {**CAPITAL, "amount": "-300.00", "corrects_contribution_id": original}
        first, second = [(await submit(client, keys, me, body)).json()["id"] for _ in range(2)]
        assert (await approve(client, keys, first)).status_code == 200
        response = await approve(client, keys, second)
        assert error_of(response) == (422, "correction_below_zero")
        detail = await client.get(f"/contributions/{second}", headers=auth(keys, me))
        assert (detail.json()["status"], detail.json()["approvals"]) == ("pending", [])
        approvals = await outbox_rows(container, "contributions.contribution_approved.v1")
        assert [r.payload["payload"]["contribution_id"] for r in approvals][-1] == first

    async def test_concurrent_approvals_of_two_corrections_only_one_wins(self, client, keys, container):
        await open_q1(container)
        me = uuid.uuid4()
        for _ in range(3):  # each round races two approvals on a fresh original
            original = await approved(client, keys, me, CAPITAL)
            body = {**CAPITAL, "amount": "-300.00", "corrects_contribution_id": original}
            ids = [(await submit(client, keys, me, body)).json()["id"] for _ in range(2)]
            responses = await asyncio.gather(*(approve(client, keys, i) for i in ids))
            assert sorted(r.status_code for r in responses) == [200, 422], [r.text for r in responses]
            loser = next(r for r in responses if r.status_code == 422)
            assert loser.json()["error"]["code"] == "correction_below_zero"
        approvals = await outbox_rows(container, "contributions.contribution_approved.v1")
        assert len(approvals) == 3 + 3  # three originals, one correction each


class TestIntakeDates:
    async def test_a_date_after_the_coops_today_is_refused(self, client, keys, container):
        today = CoopSettings().today()
        await open_q1(container, starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=30))
        tomorrow = (today + timedelta(days=1)).isoformat()
        response = await submit(client, keys, uuid.uuid4(), contributed_on=tomorrow)
        assert error_of(response) == (422, "contributed_in_future")
        assert (await submit(client, keys, uuid.uuid4(), contributed_on=today.isoformat())).status_code == 201

    async def test_not_before_the_member_joined_the_joining_day_itself_is_fine(self, client, keys, container):
        await open_q1(container)
        me = await active_member(container, joined_at=date(2026, 2, 10))
        before = await client.post(
            "/contributions", json={**LABOR, "contributed_on": "2026-02-09"}, headers=auth(keys, me)
        )
        assert error_of(before) == (422, "contributed_before_joining")
        on_the_day = await client.post("/contributions", json=LABOR, headers=auth(keys, me))
        assert on_the_day.status_code == 201, on_the_day.text
        moved = await client.patch(
            f"/contributions/{on_the_day.json()['id']}", json={"contributed_on": "2026-02-01"}, headers=auth(keys, me)
        )
        assert error_of(moved) == (422, "contributed_before_joining")


class TestMoneyIsText:
    @pytest.mark.parametrize(
        ("amount", "code"),
        [("1e26", "invalid_amount"), ("NaN", "invalid_amount"), ("Infinity", "invalid_amount"), (500, "amount_not_string"),
         ("1.001", "amount_too_precise"), ("-0.001", "amount_too_precise"), ("", "invalid_amount"),
         ("1000000000000.00", "amount_too_large")],
    )  # fmt: skip
    async def test_absurd_amounts_are_422_with_a_code_never_500(self, client, keys, container, amount, code):
        await open_q1(container)
        response = await submit(client, keys, uuid.uuid4(), CAPITAL, amount=amount)
        assert error_of(response) == (422, code), response.text
        assert response.json()["error"]["message"].startswith("amount: ")

    @pytest.mark.parametrize("field", ["fair_market_value", "adjusted_basis"])
    async def test_property_amounts_too(self, client, keys, container, field):
        await open_q1(container)
        response = await submit(client, keys, uuid.uuid4(), PROPERTY, **{field: 1200})
        assert error_of(response) == (422, "amount_not_string")

    async def test_rates_and_edits_too(self, client, keys, container):
        await open_q1(container)
        me = uuid.uuid4()
        assert error_of(await submit(client, keys, me, LABOR, rate="1e26")) == (422, "invalid_amount")
        c = (await submit(client, keys, me, CAPITAL)).json()
        edit = await client.patch(f"/contributions/{c['id']}", json={"amount": "NaN"}, headers=auth(keys, me))
        assert error_of(edit) == (422, "invalid_amount")
