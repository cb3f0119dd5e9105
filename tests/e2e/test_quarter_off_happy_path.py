"""A quarter off the happy path, through Caddy: bad amounts and dates refused, a bounded correction,
a pending item blocking the close, a loss (book and tax differing) approved by two admins and posted,
capital negative on both bases, the year's K-1s issued and carried into the next year, a backdated
reversal refused, and both journals accepted by `hledger check -s`."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal

import pytest

from .conftest import Habitat, eventually, started_habitat

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def habitat() -> Iterator[Habitat]:
    """A stack of its own: the quarter it closes and the year it issues lock every date before them."""
    with started_habitat("habitat_e2e_quarter") as env:
        yield env


def error_code(response) -> str:
    assert 400 <= response.status_code < 500, response.text
    return response.json()["error"]["code"]


def approve(habitat: Habitat, steward: str, contribution: dict) -> None:
    response = habitat.call("POST", f"/contributions/{contribution['id']}/approve", steward, json={})
    assert response.status_code == 200, response.text


def propose_when_reconciled(habitat: Habitat, admin: str, period_id: str, body: dict):
    def attempt():
        response = habitat.call("POST", f"/periods/{period_id}/allocations", admin, json=body)
        if response.status_code == 409 and response.json()["error"]["code"] in ("not_reconciled", "pending_contributions"):
            return None
        return response

    return eventually(attempt, timeout=20, interval=0.2)


def statement_of(habitat: Habitat, token: str, member_id: str) -> dict:
    response = habitat.call("GET", f"/capital-accounts/{member_id}/statement", token)
    assert response.status_code == 200, response.text
    return response.json()


class TestQuarterOffTheHappyPath:
    def test_a_quarter_that_ends_in_a_loss(self, habitat: Habitat, tmp_path) -> None:
        admin, admin2 = habitat.admin_token(), habitat.active_member("admin")[1]
        ann_id, ann = habitat.active_member()
        bob_id, bob = habitat.active_member()
        _, steward = habitat.active_member("steward")
        period_id = habitat.period_id  # 2026-Q1, opened by the stack fixture

        # --- intake: money is a string, dates are bounded --------------------------------------------
        capital = {"type": "capital", "contributed_on": "2026-01-15", "description": "Member capital for the quarter"}
        for amount in (1000, "1e26", "NaN", "10.001"):
            refused = habitat.call("POST", "/contributions", ann, json=capital | {"amount": amount})
            assert refused.status_code == 422, (amount, refused.text)
            assert refused.json()["error"]["code"]
        future = habitat.call("POST", "/contributions", ann, json=capital | {"amount": "10.00",
                                                                            "contributed_on": "2099-01-01"})
        assert future.status_code == 422 and error_code(future) == "contributed_in_future", future.text

        ann_capital = habitat.submit(ann, capital | {"amount": "1000.00"})
        approve(habitat, steward, ann_capital)
        approve(habitat, steward, habitat.submit(ann, {"type": "labor", "contributed_on": "2026-02-10", "hours": "10",
                                                       "rate": "100.00", "description": "Built the market stall"}))
        approve(habitat, steward, habitat.submit(bob, {"type": "property", "contributed_on": "2026-02-01",
                                                       "fair_market_value": "3000.00", "adjusted_basis": "1000.00",
                                                       "description": "Donated a cargo trailer"}))
        eventually(lambda: habitat.capital(admin, bob_id) == ("3000.00", "1000.00"))

        # --- a bounded correction ---------------------------------------------------------------------
        correction = {"type": "capital", "contributed_on": "2026-02-20", "corrects_contribution_id": ann_capital["id"],
                      "description": "Half the transfer bounced"}
        too_much = habitat.call("POST", "/contributions", ann, json=correction | {"amount": "-1000.01"})
        assert too_much.status_code == 422 and error_code(too_much) == "correction_below_zero", too_much.text
        wrong_type = habitat.call("POST", "/contributions", ann, json=correction | {
            "type": "labor", "hours": "-1", "rate": "100.00"})
        assert wrong_type.status_code == 422, wrong_type.text
        approve(habitat, steward, habitat.submit(ann, correction | {"amount": "-200.00"}))
        eventually(lambda: habitat.capital(admin, ann_id) == ("800.00", "800.00"))

        # --- a pending item blocks the close; the pre-close report shows it first --------------------
        pending = habitat.submit(bob, {"type": "labor", "contributed_on": "2026-03-02", "hours": "2", "rate": "100.00",
                                       "description": "Inventory count, not yet reviewed"})
        blocked = habitat.call("POST", f"/periods/{period_id}/close", admin)
        assert blocked.status_code == 409 and error_code(blocked) == "pending_contributions", blocked.text
        assert pending["id"] in blocked.text
        report = habitat.call("GET", f"/periods/{period_id}/pre-close", admin).json()
        assert next(iter(report)) == "pending_contributions", list(report)
        assert pending["id"] in str(report["pending_contributions"])
        rejected = habitat.call("POST", f"/contributions/{pending['id']}/reject", steward,
                                json={"reason": "Counted twice"})
        assert rejected.status_code == 200, rejected.text
        started = habitat.call("POST", f"/periods/{period_id}/close", admin)
        assert started.status_code == 200 and started.json()["status"] == "closing", started.text

        # --- a loss, book and tax differing; no cash portion ------------------------------------------
        with_cash = propose_when_reconciled(habitat, admin, period_id, {
            "surplus": "-3000.00", "tax_surplus": "-2000.00", "cash_portion": "10"})
        assert with_cash.status_code == 422, with_cash.text
        proposed = propose_when_reconciled(habitat, admin, period_id, {
            "surplus": "-3000.00", "tax_surplus": "-2000.00", "cash_portion": "0"})
        assert proposed.status_code == 201, proposed.text
        record = proposed.json()
        book = {row["member_id"]: Decimal(row["allocation"]) for row in record["rows"]}
        tax = {row["member_id"]: Decimal(row["tax_allocation"]) for row in record["rows"]}
        assert sum(book.values()) == Decimal("-3000.00") and sum(tax.values()) == Decimal("-2000.00")
        assert all(amount <= 0 for amount in (*book.values(), *tax.values()))
        # ann: 1000 labor + 0.5 × 800 capital = 1400; bob: 0.5 × 3000 property = 1500 (of 2900)
        assert book[ann_id] == Decimal("-1448.28") and book[bob_id] == Decimal("-1551.72")
        assert tax[ann_id] == Decimal("-965.52") and tax[bob_id] == Decimal("-1034.48")

        assert habitat.call("POST", f"/allocations/{record['id']}/approve", admin).json()["status"] == "proposed"
        assert habitat.call("POST", f"/allocations/{record['id']}/approve", admin2).json()["status"] == "approved"
        posted = habitat.call("POST", f"/allocations/{record['id']}/post", admin)
        assert posted.status_code == 200 and posted.json()["status"] == "posted", posted.text
        assert habitat.call("GET", f"/periods/{period_id}", admin).json()["status"] == "closed"
        assert habitat.call("GET", "/distributions", ann).json()["items"] == []  # a loss pays no cash

        # capital negative on both bases: 800 − 1448.28 book, 800 − 965.52 tax
        assert habitat.capital(ann, ann_id) == ("-648.28", "-165.52")
        assert habitat.capital(admin, bob_id) == ("1448.28", "-34.48")
        lines = statement_of(habitat, ann, ann_id)["lines"]
        loss_line = next(line for line in lines if line["source_type"] == "allocation")
        assert (loss_line["book_amount"], loss_line["tax_amount"]) == ("-1448.28", "-965.52")

        # --- closed means closed ----------------------------------------------------------------------
        # (a contribution's own transaction is never reversed directly, closed or not: asking would be
        # refused as reversal_belongs_to_workflow, which proves nothing about the lock; a payment is dated)
        payout = habitat.call("POST", "/distributions", admin, json={
            "member_id": bob_id, "amount": "1.00", "method": "check", "scheduled_on": "2027-01-15"})
        assert payout.status_code == 201, payout.text
        payout_id = payout.json()["id"]
        backdated = habitat.call("POST", f"/distributions/{payout_id}/complete", admin,
                                 json={"reference": "CHK-Q1", "paid_on": "2026-03-15"})
        assert (backdated.status_code, backdated.json()["error"]["code"]) == (409, "period_locked"), backdated.text
        early = habitat.call("POST", "/periods", admin,
                             json={"name": "2026-Q1b", "starts_on": "2026-03-01", "ends_on": "2026-04-30"})
        assert (early.status_code, early.json()["error"]["code"]) == (409, "period_before_lock"), early.text

        # --- K-1: Item L shows the loss, the year is issued, the next year's beginning ties -----------
        k1 = habitat.call("GET", "/exports/k1", admin, params={"year": "2026", "format": "json"})
        assert k1.status_code == 200, k1.text
        rows = {row["member_id"]: row for row in k1.json()["rows"]}
        assert rows[ann_id]["item_l_tax"]["income"] == "-965.52" and rows[ann_id]["item_l_tax"]["ending"] == "-165.52"
        assert rows[bob_id]["book_704b"]["income"] == "-1551.72"
        issued = habitat.call("POST", "/exports/k1/2026/issue", admin)
        assert issued.status_code in (200, 201), issued.text
        again = habitat.call("POST", "/exports/k1/2026/issue", admin)
        assert (again.status_code, again.json()["error"]["code"]) == (409, "k1_already_issued"), again.text
        next_year = habitat.call("GET", "/exports/k1", admin, params={"year": "2027", "format": "json"})
        assert next_year.status_code == 200, next_year.text
        carried = {row["member_id"]: row for row in next_year.json()["rows"]}
        for member_id in (ann_id, bob_id):
            for basis in ("item_l_tax", "book_704b"):
                assert carried[member_id][basis]["beginning"] == rows[member_id][basis]["ending"]
        # the issued year is locked too: nothing posts on or before 2026-12-31
        locked = habitat.call("POST", f"/distributions/{payout_id}/complete", admin,
                              json={"reference": "CHK-2026", "paid_on": "2026-12-31"})
        assert (locked.status_code, locked.json()["error"]["code"]) == (409, "period_locked"), locked.text
        assert "whose K-1s were issued" in locked.json()["error"]["message"]
        cancelled = habitat.call("POST", f"/distributions/{payout_id}/cancel", admin, json={"reason": "only a test"})
        assert cancelled.status_code == 200, cancelled.text

        # --- both journals pass hledger's strict check ------------------------------------------------
        if shutil.which("hledger") is None:
            pytest.skip("hledger is installed by .ci/run")
        for basis in ("book", "tax"):
            journal = habitat.call("GET", "/exports/journal", admin, params={"basis": basis})
            assert journal.status_code == 200, journal.text
            path = tmp_path / f"{basis}.journal"
            path.write_text(journal.text)
            check = subprocess.run(["hledger", "-f", str(path), "check", "-s"], capture_output=True, text=True)
            assert check.returncode == 0, check.stderr
