"""Recipe 8: races on money. 50 concurrent completions of one distribution, 50 distributions of one account
whose balance covers only some of them completed at once, two concurrent closes of one period."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from tests.e2e.conftest import Habitat

from .harness import RESULTS, Result, Workload, query, quiesce, table

CONCURRENT = 50


def moved(habitat: Habitat, second: str, response) -> str | None:
    """Approve, as the second admin (token second), the money move a completion request was answered with;
    its status."""
    if response.status_code not in (200, 202):
        return None
    move = response.json().get("money_move") or response.json()
    if response.status_code == 200:
        return move.get("status")
    answer = habitat.call("POST", f"/money-moves/{move['id']}/approve", second)
    return answer.json().get("status") if answer.status_code == 200 else None


@pytest.mark.fast
def test_concurrent_completions_and_closes(shared_habitat: Habitat) -> None:
    habitat = shared_habitat
    workload = Workload(habitat, members=2, approvals=4).prepare()
    workload.approve()
    quiesce(habitat.config.database_url, habitat.config.amqp_url)
    admin, second = habitat.admin_token(), habitat.second_admin_token()
    member_id = habitat.call("GET", "/members", admin, params={"limit": 500}).json()
    member = next(m["id"] for m in member_id["items"] if m["email"].startswith("chaos-"))
    balance = Decimal(habitat.capital(admin, member)[0])
    assert balance > 0

    def schedule(amount: Decimal) -> str:
        body = {"member_id": member, "amount": str(amount), "method": "check", "scheduled_on": "2026-04-01"}
        response = habitat.call("POST", "/distributions", admin, json=body)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    # one distribution, 50 completions at once (each then approved by the second admin)
    one = schedule(Decimal("1.00"))
    with ThreadPoolExecutor(CONCURRENT) as pool:
        answers = list(pool.map(
            lambda i: habitat.call("POST", f"/distributions/{one}/complete", admin, json={"reference": f"race-{i}"}),
            range(CONCURRENT),
        ))
        executed_one = sum(status == "executed" for status in pool.map(lambda r: moved(habitat, second, r), answers))
    # 50 distributions, each a fifth of what is left: at most five may complete
    left = Decimal(habitat.capital(admin, member)[0])
    share = (left / 5).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    many = [schedule(share) for _ in range(CONCURRENT)]
    with ThreadPoolExecutor(CONCURRENT) as pool:
        answers = list(pool.map(
            lambda d: habitat.call("POST", f"/distributions/{d}/complete", admin, json={"reference": "race"}), many
        ))
        executed_many = sum(status == "executed" for status in pool.map(lambda r: moved(habitat, second, r), answers))
    final = Decimal(habitat.capital(second, member)[0])
    # two concurrent closes of one period
    period = habitat.call("POST", "/periods", admin, json={"name": "Chaos close", "starts_on": "2027-01-01",
                                                           "ends_on": "2027-03-31"})
    assert period.status_code == 201, period.text
    with ThreadPoolExecutor(2) as pool:
        closes = list(pool.map(
            lambda _: habitat.call("POST", f"/periods/{period.json()['id']}/close", admin), range(2)
        ))
    # a second close answers the period as it is (200): the closes that happened are the closing events
    answered = [r.status_code for r in closes]
    started = query(
        habitat.config.database_url,
        "SELECT count(*) AS n FROM ledger.outbox WHERE routing_key LIKE '%period_closing%'"
        " AND payload->'payload'->>'period_id' = $1", period.json()["id"],
    )[0]["n"]

    rows = [
        Result("8a. 50 completions of one distribution", f"{CONCURRENT} requests", 0, max(0, executed_one - 1),
               0, 0.0),
        Result("8b. 50 distributions over a 5-share balance", f"{CONCURRENT} requests", 0, 0,
               int(final < 0) + max(0, executed_many - 5), 0.0),
        Result("8c. two concurrent closes of a period", "2 requests", int(started == 0), max(0, started - 1), 0, 0.0),
    ]
    RESULTS.extend(rows)
    print(f"\n{table(rows)}\nexecuted: one={executed_one} many={executed_many}; balance {balance} -> {final}; "
          f"closes answered {answered}, closing events {started}")
    assert executed_one == 1
    assert 0 < executed_many <= 5 and final >= 0
    assert answered == [200, 200] and started == 1, [r.text for r in closes]
