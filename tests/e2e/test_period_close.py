"""Period close through the real stack: seal and reconcile, propose, approve, post, distribute,
export (K-1 ties, hledger accepts the journals) — with crashes and races along the way."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import threading
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from habitat_devstack.mailbox import plain_text

from .conftest import Habitat, eventually, started_habitat

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def habitat() -> Iterator[Habitat]:
    """A stack of its own: a posted close locks every date up to the period's end, and the shared
    stack's periods (2026-Q1, 2025-Q4) come before the periods closed here."""
    with started_habitat("habitat_e2e_close") as env:
        yield env


def approve(habitat: Habitat, steward: str, contribution: dict) -> None:
    response = habitat.call("POST", f"/contributions/{contribution['id']}/approve", steward, json={})
    assert response.status_code == 200, response.text


def second_admin(habitat: Habitat) -> str:
    return habitat.active_member("admin")[1]


def propose_when_reconciled(habitat: Habitat, admin: str, period_id: str, body: dict) -> dict:
    def attempt():
        response = habitat.call("POST", f"/periods/{period_id}/allocations", admin, json=body)
        if response.status_code == 409 and response.json()["error"]["code"] == "not_reconciled":
            return None
        assert response.status_code == 201, response.text
        return response.json()

    return eventually(attempt, timeout=20, interval=0.2)


class TestCloseOverHttp:
    def test_full_close_with_a_worker_crash_and_two_admins_posting_at_once(self, habitat: Habitat) -> None:
        admin, admin2 = habitat.admin_token(), second_admin(habitat)
        ann_id, ann = habitat.active_member()
        bob_id, bob = habitat.active_member()
        _, steward = habitat.active_member("steward")
        period = habitat.call("POST", "/periods", admin,
                              json={"name": "2026-Q2", "starts_on": "2026-04-01", "ends_on": "2026-06-30"}).json()
        day = "2026-05-01"
        approve(habitat, steward, habitat.submit(ann, {"type": "capital", "contributed_on": day, "amount": "1000.00",
                                                       "description": "Capital for the 2026-Q2 close"}))
        approve(habitat, steward, habitat.submit(ann, {"type": "labor", "contributed_on": day, "hours": "10",
                                                       "rate": "100.00", "description": "Built the 2026 booth"}))
        approve(habitat, steward, habitat.submit(bob, {"type": "property", "contributed_on": day,
                                                       "fair_market_value": "3000.00", "adjusted_basis": "1000.00",
                                                       "description": "Donated a cargo trailer"}))
        eventually(lambda: habitat.capital(admin, bob_id) == ("3000.00", "1000.00"))

        draft = habitat.call("GET", f"/periods/{period['id']}/draft-allocation", ann,
                             params={"surplus": "900.00"}).json()
        assert [row["member_id"] for row in draft["rows"]] == [ann_id]  # a member sees only their own row
        # ann: 1000 labor + 0.5 × 1000 capital = 1500; bob: 0.5 × 3000 = 1500 → 450.00 each
        assert draft["rows"][0]["allocation"] == "450.00"

        # the ledger worker (which relays the ledger's outbox) crashes right after the close starts;
        # nothing is lost: once it is back, intake stops and the seal arrives
        started = habitat.call("POST", f"/periods/{period['id']}/close", admin)
        assert started.status_code == 200 and started.json()["status"] == "closing"
        habitat.stack.kill("ledger-worker")
        try:
            assert habitat.call("POST", f"/periods/{period['id']}/allocations", admin, json={
                "surplus": "1.00", "cash_portion": "0"}).json()["error"]["code"] == "not_reconciled"
        finally:
            habitat.stack.start("ledger-worker")
            habitat.stack.wait_ready("ledger-worker")

        def intake_stopped():
            late = habitat.call("POST", "/contributions", ann, headers={"Idempotency-Key": "late-2026-q2"}, json={
                "type": "capital", "contributed_on": day, "amount": "5.00", "description": "Too late for the close"})
            return late.status_code == 409 and late.json()["error"]["code"] == "period_closed"

        eventually(intake_stopped, timeout=15, interval=0.2)

        record = propose_when_reconciled(habitat, admin, period["id"], {
            "surplus": "900.01", "cash_portion": "20", "weights": {"labor": "1.0", "capital": "0.5", "property": "0.5"}})
        amounts = {row["member_id"]: Decimal(row["allocation"]) for row in record["rows"]}
        assert sum(amounts.values()) == Decimal("900.01")
        assert sorted(amounts.values()) == [Decimal("450.00"), Decimal("450.01")]
        assert len(record["content_hash"]) == 64

        approved = habitat.call("POST", f"/allocations/{record['id']}/approve", admin).json()
        assert approved["status"] == "proposed"  # the proposer alone is never enough
        approved = habitat.call("POST", f"/allocations/{record['id']}/approve", admin2).json()
        assert approved["status"] == "approved"

        results: list[httpx.Response] = []

        def post(token: str) -> None:
            results.append(habitat.call("POST", f"/allocations/{record['id']}/post", token))

        threads = [threading.Thread(target=post, args=(t,)) for t in (admin, admin2)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert sorted(r.status_code for r in results) == [200, 200], [r.text for r in results]
        assert {r.json()["status"] for r in results} == {"posted"}

        assert habitat.call("GET", f"/periods/{period['id']}", admin).json()["status"] == "closed"
        ann_book, ann_tax = habitat.capital(admin, ann_id)
        assert Decimal(ann_book) - Decimal("1000.00") in (Decimal("450.00"), Decimal("450.01"))
        assert ann_book == ann_tax
        statement = habitat.call("GET", f"/capital-accounts/{ann_id}/statement", ann).json()
        assert [line["source_type"] for line in statement["lines"]].count("allocation") == 1  # posted once

        # ann hears her share by mail, with the ledger's account of it, once though two admins posted at once
        ann_share = Decimal(ann_book) - Decimal("1000.00")
        ann_email = habitat.call("GET", "/me", ann).json()["email"]

        def share_mails() -> list:
            return [m for m in habitat.mailbox.messages(ann_email) if m["X-Habitat-Kind"] == "allocation_posted"]

        eventually(lambda: len(share_mails()) >= 1, timeout=30, interval=0.2)
        share_text = plain_text(share_mails()[0])
        assert f"Your share: {ann_share}." in share_text and f"Your allocation is {ann_share}." in share_text
        assert "Your weighted patronage was 1500" in share_text and f"/allocations/{record['id']}" in share_text

        # 20% cash: distributions scheduled; completing one debits capital on both bases
        scheduled = habitat.call("GET", "/distributions", ann).json()["items"]
        assert len(scheduled) == 1 and scheduled[0]["status"] == "scheduled"
        cash = Decimal(scheduled[0]["amount"])
        # 20% of the allocation, to the cent (largest remainder keeps the cash total exact)
        assert abs(cash - (Decimal(ann_book) - Decimal("1000.00")) * Decimal("0.2")) < Decimal("0.01")
        all_cash = habitat.call("GET", "/distributions", admin, params={"status": "scheduled"}).json()["items"]
        ours = [Decimal(d["amount"]) for d in all_cash if d["member_id"] in (ann_id, bob_id)]
        assert sum(ours) == Decimal("180.00")  # 20% of 900.01, rounded to the cent
        # two people move money: the payment waits until a second admin approves it
        requested = habitat.call("POST", f"/distributions/{scheduled[0]['id']}/complete", admin,
                                 json={"reference": "ACH-2026-001"})
        assert (requested.status_code, requested.json()["status"]) == (202, "requested"), requested.text
        alone = habitat.call("POST", f"/money-moves/{requested.json()['id']}/approve", admin)
        assert (alone.status_code, alone.json()["status"]) == (200, "requested")  # the requester is never enough
        assert habitat.capital(admin, ann_id)[0] == ann_book
        paid = habitat.call("POST", f"/money-moves/{requested.json()['id']}/approve", admin2)
        assert (paid.status_code, paid.json()["status"]) == (200, "executed"), paid.text
        assert Decimal(habitat.capital(admin, ann_id)[0]) == Decimal(ann_book) - cash

        # overdrawing needs an explicit, recorded override
        big = habitat.call("POST", "/distributions", admin, json={
            "member_id": bob_id, "amount": "999999.00", "method": "check", "scheduled_on": "2026-07-01"}).json()
        refused = habitat.call("POST", f"/distributions/{big['id']}/complete", admin, json={"reference": "CHK-1"})
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "would_overdraw_capital"
        habitat.call("POST", f"/distributions/{big['id']}/cancel", admin, json={"reason": "typo"})

        # K-1 ties: every row's Item L on both bases, and JSON and CSV agree on the endings
        k1 = habitat.call("GET", "/exports/k1", admin, params={"year": "2026", "format": "json"})
        assert k1.status_code == 200, k1.text
        rows = {row["member_id"]: row for row in k1.json()["rows"]}
        assert ann_id in rows and bob_id in rows
        for member, row in rows.items():
            for basis in ("item_l_tax", "book_704b"):
                item = {name: Decimal(row[basis][name]) for name in (
                    "beginning", "contributed", "income", "other", "withdrawals", "ending")}
                computed = (item["beginning"] + item["contributed"] + item["income"] + item["other"]
                            - item["withdrawals"])
                assert computed == item["ending"], (member, basis, row[basis])
        # ann's year ends where her capital account stands now (after the allocation and the cash paid)
        assert Decimal(rows[ann_id]["item_l_tax"]["ending"]) == Decimal(habitat.capital(admin, ann_id)[1])
        csv_export = habitat.call("GET", "/exports/k1", admin, params={"year": "2026", "format": "csv"})
        assert csv_export.status_code == 200, csv_export.text
        csv_rows = {line["member_id"]: line for line in csv.DictReader(io.StringIO(csv_export.text))}
        assert set(csv_rows) == set(rows)
        for member, row in rows.items():
            assert Decimal(csv_rows[member]["tax_ending"]) == Decimal(row["item_l_tax"]["ending"]), member
            assert Decimal(csv_rows[member]["book_ending"]) == Decimal(row["book_704b"]["ending"]), member
        assert len(share_mails()) == 1  # still one, long after the posting


@pytest.mark.skipif(not shutil.which("hledger"), reason="hledger is installed by .ci/run")
class TestAccountantJournal:
    def test_hledger_accepts_both_journals_and_agrees_on_balances(self, habitat: Habitat, tmp_path) -> None:
        admin = habitat.admin_token()
        member_id, member = habitat.active_member()
        _, steward = habitat.active_member("steward")
        # a period after the one the close test posts: dates up to that period's end are locked
        period = habitat.call("POST", "/periods", admin,
                              json={"name": "2026-Q3", "starts_on": "2026-07-01", "ends_on": "2026-09-30"})
        assert period.status_code == 201, period.text
        approve(habitat, steward, habitat.submit(member, {
            "type": "property", "contributed_on": "2026-08-05", "fair_market_value": "800.00",
            "adjusted_basis": "300.00", "description": "Donated a laptop for the office"}))
        eventually(lambda: habitat.capital(admin, member_id) == ("800.00", "300.00"))
        for basis, expected in (("book", "800.00"), ("tax", "300.00")):
            journal = habitat.call("GET", "/exports/journal", admin, params={"basis": basis})
            assert journal.status_code == 200, journal.text
            path = tmp_path / f"{basis}.journal"
            path.write_text(journal.text)
            check = subprocess.run(["hledger", "-f", str(path), "check", "-s"], check=False, capture_output=True, text=True)
            assert check.returncode == 0, check.stderr
            # a member's account is named by member number; the member id is the account's tag
            balance = subprocess.run(
                ["hledger", "-f", str(path), "balance", f"tag:member={member_id}", "--flat", "--no-total", "-O", "csv"],
                capture_output=True, text=True, check=True,
            )
            rows = list(csv.reader(io.StringIO(balance.stdout)))[1:]
            assert len(rows) == 1 and rows[0][0].startswith("equity:capital:M"), balance.stdout
            # the journal is debit-positive: a member's capital (a credit) shows negative
            assert Decimal(rows[0][1].removesuffix(" USD").replace(",", "")) == -Decimal(expected)
