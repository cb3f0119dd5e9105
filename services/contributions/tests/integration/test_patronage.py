"""A member's patronage in the period containing a day (GET /members/{id}/patronage): approved value by type and
what awaits review, against sums computed in Python from the rows; who may ask; which period a day falls in."""

import random
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.builders import Q1_END, Q1_START
from tests.integration.db import open_q1
from tests.integration.intake_world import STATUSES, TYPES, Row, World, store
from tests.integration.test_http import auth

pytestmark = pytest.mark.integration
ZERO = {"labor": {"count": 0, "value": "0.00"}, "capital": {"count": 0, "value": "0.00"},
        "property": {"count": 0, "value": "0.00"}}  # fmt: skip


def expected(rows: list[Row], period_id: uuid.UUID, member_id: uuid.UUID) -> tuple[dict, dict]:
    """Approved and awaiting review by type, summed from the rows alone (rejected count nowhere)."""
    approved = {t: [0, Decimal("0.00")] for t in TYPES}
    awaiting = {t: [0, Decimal("0.00")] for t in TYPES}
    for row in rows:
        if row.period_id != period_id or row.member_id != member_id or row.status == "rejected":
            continue
        bucket = (approved if row.status == "approved" else awaiting)[row.type]
        bucket[0] += 1
        bucket[1] += row.value
    as_json = lambda sums: {t: {"count": n, "value": f"{v:.2f}"} for t, (n, v) in sums.items()}
    return as_json(approved), as_json(awaiting)


async def ask(client, keys, member_id, caller=None, role="member", **params):
    return await client.get(
        f"/members/{member_id}/patronage", params=params, headers=auth(keys, caller or member_id, role)
    )


@pytest.mark.parametrize("seed", range(6))
async def test_the_sums_by_type_are_the_members_rows_in_the_period(client, keys, seed):
    rng = random.Random(seed)
    period_id = await open_q1(client.container)
    other_period = await open_q1(client.container, name="2026-Q2", starts_on=Q1_END + timedelta(days=1),
                                 ends_on=Q1_END + timedelta(days=91))  # fmt: skip
    me, someone = uuid.uuid4(), uuid.uuid4()
    rows = [
        Row(rng.choice([period_id, period_id, other_period]), rng.choice([me, me, someone]), rng.choice(TYPES),
            rng.choice(STATUSES), Decimal(rng.randint(-5_000, 100_000)) / 100)  # corrections may be negative
        for _ in range(rng.randint(0, 40))
    ]  # fmt: skip
    await store(client.container, World([], rows))
    answer = await ask(client, keys, me, on=Q1_START.isoformat())
    assert answer.status_code == 200, answer.text
    body = answer.json()
    approved, awaiting = expected(rows, period_id, me)
    assert (body["approved"], body["awaiting_review"]) == (approved, awaiting)
    assert body["period"] == {"period_id": str(period_id), "name": "2026-Q1", "starts_on": Q1_START.isoformat(),
                              "ends_on": Q1_END.isoformat(), "status": "open"}  # fmt: skip
    assert (body["member_id"], body["on"]) == (str(me), Q1_START.isoformat())


async def test_the_periods_last_day_is_in_it_and_after_it_the_period_is_still_shown_until_the_next(client, keys):
    q1 = await open_q1(client.container)
    q3 = await open_q1(client.container, name="2026-Q3", starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30))
    me = uuid.uuid4()
    await store(client.container, World([], [Row(q1, me, "labor", "approved", Decimal("80.00"))]))
    for day in (Q1_END, Q1_END + timedelta(days=1), date(2026, 6, 30)):  # the last day, then between periods
        body = (await ask(client, keys, me, on=day.isoformat())).json()
        assert body["period"]["period_id"] == str(q1), day
        assert body["approved"]["labor"] == {"count": 1, "value": "80.00"}
    later = (await ask(client, keys, me, on="2026-07-01")).json()
    assert (later["period"]["period_id"], later["approved"]) == (str(q3), ZERO)
    before = (await ask(client, keys, me, on=(Q1_START - timedelta(days=1)).isoformat())).json()
    assert (before["period"], before["approved"], before["awaiting_review"]) == (None, ZERO, ZERO)


async def test_an_open_period_is_chosen_over_a_closed_one_holding_the_same_day(client, keys):
    closed = await open_q1(client.container, name="Old Q1", status="closed")
    current = await open_q1(client.container, name="New Q1")
    me = uuid.uuid4()
    await store(client.container, World([], [Row(closed, me, status="approved"), Row(current, me, status="pending")]))
    body = (await ask(client, keys, me, on=Q1_START.isoformat())).json()
    assert body["period"]["name"] == "New Q1"
    assert body["approved"]["capital"]["count"] == 0 and body["awaiting_review"]["capital"]["count"] == 1


async def test_a_member_with_nothing_gets_zeros_for_every_type(client, keys):
    await open_q1(client.container)
    body = (await ask(client, keys, uuid.uuid4(), on=Q1_START.isoformat())).json()
    assert (body["approved"], body["awaiting_review"]) == (ZERO, ZERO)


async def test_without_a_day_the_cooperatives_today_is_used(client, keys):
    body = (await ask(client, keys, uuid.uuid4())).json()
    assert body["on"] == client.container.settings.coop.today().isoformat()


async def test_another_member_is_not_found_to_a_member_but_shown_to_stewards(client, keys):
    q1 = await open_q1(client.container)
    them = uuid.uuid4()
    await store(client.container, World([], [Row(q1, them, status="approved")]))
    refused = await ask(client, keys, them, caller=uuid.uuid4(), on=Q1_START.isoformat())
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    for role in ("steward", "admin"):
        shown = await ask(client, keys, them, caller=uuid.uuid4(), role=role, on=Q1_START.isoformat())
        assert shown.json()["approved"]["capital"]["count"] == 1, role


@pytest.mark.parametrize("on", ["2026-13-01", "tomorrow", "1899-12-31", ""])
async def test_a_malformed_day_is_refused(client, keys, on):
    answer = await ask(client, keys, uuid.uuid4(), on=on)
    assert answer.status_code == 422


async def test_without_a_token_nothing_is_shown(client):
    assert (await client.get(f"/members/{uuid.uuid4()}/patronage")).status_code == 401
