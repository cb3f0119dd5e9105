"""Period close through the HTTP API: draft, pre-close, close, seal, propose, approve, post, statements."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from habitat_common.contracts import (
    AllocationPostedV1,
    Envelope,
    MemberRegisteredV1,
    PeriodSealedV1,
    SealedMemberTotal,
)
from sqlalchemy import text

from habitat_ledger.domain.close.seal import PeriodSeal, reconcile
from habitat_ledger.entrypoints.consumers import (
    allocation_posted_handler,
    contribution_approved_handler,
    member_handler,
    period_sealed_handler,
)
from tests.ledger_api import ADMIN, ADMIN2
from tests.ledger_builders import approved, envelope, quarter_contributions

Q1 = {"name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}
ANA, BEN = uuid.UUID(int=1), uuid.UUID(int=2)


def wrap(contract) -> Envelope:
    raw = Envelope.wrap(contract, producer="test")
    return Envelope[type(contract)].model_validate_json(raw.model_dump_json())


@pytest.fixture
async def period(api, uow_factory) -> str:
    """Q1 with Ana: labor 1000 + capital 500; Ben: property FMV 2000 (basis 1200); names replicated."""
    period_id = (await api.post("/periods", Q1)).json()["id"]
    book = contribution_approved_handler(uow_factory)
    for contract in quarter_contributions(uuid.UUID(period_id), ANA, BEN):
        assert await book(envelope(contract)) is True
    register = member_handler(uow_factory, "ledger.member_registered")
    for member, name in ((ANA, "Ana Ruiz"), (BEN, "Ben Ode")):
        await register(wrap(MemberRegisteredV1(member_id=member, email=f"{name[:3]}@x.org", display_name=name,
                                               role="member", status="active", joined_at="2026-01-01")))
    return period_id


async def seal(uow_factory, period_id: str, ana_count: int = 2) -> None:
    contract = PeriodSealedV1(
        period_id=uuid.UUID(period_id),
        members=[
            SealedMemberTotal(member_id=ANA, approved_count=ana_count, approved_value=Decimal("1500.00")),
            SealedMemberTotal(member_id=BEN, approved_count=1, approved_value=Decimal("2000.00")),
        ],
        total_count=ana_count + 1, total_value=Decimal("3500.00"), pending_count=0,
    )
    handle = period_sealed_handler(uow_factory)
    message = wrap(contract)
    assert await handle(message) is True
    assert await handle(message) is False


PROPOSAL = {"surplus": "1000.00", "weights": {"labor": "1.0", "capital": "0.5", "property": "0.5"}, "cash_portion": "25"}


async def approved_allocation(api, uow_factory, period_id) -> str:
    await api.post(f"/periods/{period_id}/close")
    await seal(uow_factory, period_id)
    allocation = (await api.post(f"/periods/{period_id}/allocations", PROPOSAL)).json()
    for approver in (ADMIN, ADMIN2):
        await api.post(f"/allocations/{allocation['id']}/approve", who=approver)
    return allocation["id"]


class TestDraftAllocation:
    async def test_a_member_sees_totals_and_only_their_row_with_an_explanation(self, api, period):
        response = await api.get(f"/periods/{period}/draft-allocation", ANA, "member", params={"surplus": "1000.00"})
        body = response.json()
        # weighted: Ana 1000 + 250 = 1250, Ben 1000 → total 2250
        assert (body["total_weighted"], body["allocated_total"]) == ("2250.00", "1000.00")
        [row] = body["rows"]
        assert (row["member_id"], row["display_name"], row["allocation"], row["share"]) == (
            str(ANA), "Ana Ruiz", "555.56", "0.5555555556",
        )
        assert row["by_type"]["capital"] == {"value": "500.00", "weight": "0.50", "weighted": "250.00"}
        assert row["explanation"].startswith("You contributed ") and row["explanation"].endswith("your share is 555.56.")

    async def test_stewards_see_every_row(self, api, period):
        body = (await api.get(f"/periods/{period}/draft-allocation", role="steward", params={"surplus": "1000.00"})).json()
        assert [r["allocation"] for r in body["rows"]] == ["555.56", "444.44"]

    async def test_a_float_looking_bad_surplus_is_422(self, api, period):
        response = await api.get(f"/periods/{period}/draft-allocation", params={"surplus": "1e3"})
        assert response.status_code == 422


class TestCloseAndPropose:
    async def test_pre_close_report_before_and_after_the_seal(self, api, period, uow_factory):
        report = (await api.get(f"/periods/{period}/pre-close")).json()
        assert (report["members_with_patronage"], report["approved_count"]) == (2, 3)
        assert report["approved_value_by_type"] == {"labor": "1000.00", "capital": "500.00", "property": "2000.00"}
        assert report["sealed"] == {"received": False, "matches": None, "differences": [], "pending_count": None}
        await seal(uow_factory, period, ana_count=3)
        sealed = (await api.get(f"/periods/{period}/pre-close")).json()["sealed"]
        assert (sealed["matches"], sealed["differences"][0]["member_id"], sealed["differences"][0]["sealed_count"]) == (
            False, str(ANA), 3,
        )

    async def test_the_database_reconciles_by_the_domain_rule(self, period, uow_factory):
        cal = uuid.UUID(int=3)
        booked = {ANA: (2, Decimal("1500.00")), BEN: (1, Decimal("2000.00"))}
        cases = (
            {ANA: (2, Decimal(1500)), BEN: (1, Decimal("2000.00"))},  # equal (scale does not matter)
            {ANA: (3, Decimal("1500.00")), cal: (1, Decimal("5.00"))},  # count differs, BEN unsealed, CAL unbooked
            {ANA: (2, Decimal("1500.01")), BEN: (1, Decimal("2000.00"))},  # value differs
        )
        for members in cases:
            sealed = PeriodSeal(uuid.UUID(period), members, 0, Decimal(0), 4, datetime.now(UTC))
            async with uow_factory() as uow:
                await uow.seals.save(sealed)
                await uow.commit()
            async with uow_factory() as uow:
                assert await uow.seals.reconciliation(uuid.UUID(period)) == reconcile(booked, sealed)
        async with uow_factory() as uow:
            assert await uow.seals.reconciliation(uuid.uuid4()) == reconcile(booked, None)

    async def test_close_is_idempotent_and_announced_once(self, api, period, connection):
        first = await api.post(f"/periods/{period}/close")
        second = await api.post(f"/periods/{period}/close")
        assert (first.json()["status"], second.status_code, second.json()["status"]) == ("closing", 200, "closing")
        keys = (await connection.execute(text("SELECT routing_key FROM ledger.outbox ORDER BY id"))).scalars().all()
        assert keys.count("ledger.period_closing.v1") == 1

    async def test_proposal_waits_for_reconciled_totals(self, api, period, uow_factory):
        await api.post(f"/periods/{period}/close")
        refused = await api.post(f"/periods/{period}/allocations", PROPOSAL)
        assert (refused.status_code, refused.json()["error"]["code"]) == (409, "not_reconciled")
        await seal(uow_factory, period)
        created = await api.post(f"/periods/{period}/allocations", PROPOSAL)
        assert created.status_code == 201
        body = created.json()
        assert body["inputs"] == {"surplus": "1000.00", "tax_surplus": "1000.00",
                                  "weights": {"labor": "1.00", "capital": "0.50", "property": "0.50"},
                                  "cash_portion": "25.00"}
        assert [(r["display_name"], r["allocation"], r["cash_portion_amount"], r["retained_amount"]) for r in body["rows"]] == [
            ("Ana Ruiz", "555.56", "138.89", "416.67"), ("Ben Ode", "444.44", "111.11", "333.33"),
        ]
        assert (body["contribution_count"], len(body["content_hash"]), body["approvals_required"]) == (3, 64, 2)
        again = await api.post(f"/periods/{period}/allocations", PROPOSAL)
        assert again.json()["error"]["code"] == "proposal_pending"

    async def test_only_admins_propose_and_members_see_only_their_row(self, api, period, uow_factory):
        await api.post(f"/periods/{period}/close")
        await seal(uow_factory, period)
        assert (await api.post(f"/periods/{period}/allocations", PROPOSAL, role="steward")).status_code == 403
        allocation_id = (await api.post(f"/periods/{period}/allocations", PROPOSAL)).json()["id"]
        mine = (await api.get(f"/allocations/{allocation_id}", ANA, "member")).json()
        assert [r["member_id"] for r in mine["rows"]] == [str(ANA)]
        outsider = await api.get(f"/allocations/{allocation_id}", uuid.uuid4(), "member")
        assert outsider.status_code == 404
        assert (await api.get(f"/allocations/{allocation_id}/statement/{BEN}", ANA, "member")).status_code == 404


class TestApproveAndPost:
    async def test_post_credits_capital_schedules_cash_and_closes(self, api, period, uow_factory, connection):
        allocation_id = await approved_allocation(api, uow_factory, period)
        assert (await api.get(f"/allocations/{allocation_id}")).json()["status"] == "approved"
        posted = await api.post(f"/allocations/{allocation_id}/post")
        assert (posted.status_code, posted.json()["status"]) == (200, "posted")
        assert (await api.post(f"/allocations/{allocation_id}/post")).json()["status"] == "posted"
        account = (await api.get(f"/capital-accounts/{ANA}", ANA, "member")).json()
        assert (account["book_balance"], account["tax_balance"]) == ("1055.56", "1055.56")
        assert (await api.get(f"/periods/{period}")).json()["status"] == "closed"
        cash = (await api.get("/distributions", ANA, "member")).json()["items"]
        assert [(d["amount"], d["status"], d["allocation_id"]) for d in cash] == [("138.89", "scheduled", allocation_id)]
        keys = (await connection.execute(text("SELECT routing_key FROM ledger.outbox ORDER BY id"))).scalars().all()
        assert keys[-2:] == ["ledger.allocation_posted.v1", "ledger.period_closed.v1"]  # shares: the worker's job
        statement = (await api.get(f"/allocations/{allocation_id}/statement/{ANA}", ANA, "member")).json()
        assert statement["allocation"] == "555.56" and any("138.89" in line for line in statement["lines"])

        # the worker's own consumer of allocation_posted announces each member's share, once per event
        [posted_event] = (await connection.execute(text(
            "SELECT payload FROM ledger.outbox WHERE routing_key = 'ledger.allocation_posted.v1'"))).scalars().all()
        delivery = Envelope[AllocationPostedV1].model_validate(posted_event)
        assert await allocation_posted_handler(uow_factory)(delivery) is True
        assert await allocation_posted_handler(uow_factory)(delivery) is False  # redelivered: nothing again
        shares = (await connection.execute(text(
            "SELECT payload -> 'payload' FROM ledger.outbox WHERE routing_key = 'ledger.allocation_share_posted.v1'"
        ))).scalars().all()
        mine = next(share for share in shares if share["member_id"] == str(ANA))
        assert len(shares) == len({share["member_id"] for share in shares}) >= 2
        assert (mine["allocation"], mine["cash_portion_amount"]) == ("555.56", "138.89")
        assert mine["explanation"] == statement["lines"]

    async def test_a_contribution_arriving_after_the_close_is_an_exception(self, api, period, uow_factory):
        allocation_id = await approved_allocation(api, uow_factory, period)
        await api.post(f"/allocations/{allocation_id}/post")
        late = approved("capital", book="9.00", member_id=ANA, period_id=uuid.UUID(period))
        await contribution_approved_handler(uow_factory)(envelope(late))
        [kept] = (await api.get("/exceptions")).json()["items"]
        assert (kept["key"], kept["reason"]) == (str(late.contribution_id), "period_closed")
        assert (await api.get(f"/capital-accounts/{ANA}")).json()["book_balance"] == "1055.56"

    async def test_rejection_needs_a_reason_and_frees_the_period(self, api, period, uow_factory):
        await api.post(f"/periods/{period}/close")
        await seal(uow_factory, period)
        allocation_id = (await api.post(f"/periods/{period}/allocations", PROPOSAL)).json()["id"]
        assert (await api.post(f"/allocations/{allocation_id}/reject", {"reason": ""})).status_code == 422
        rejected = (await api.post(f"/allocations/{allocation_id}/reject", {"reason": "wrong surplus"}, who=ADMIN2)).json()
        assert (rejected["status"], rejected["rejection"]["reason"]) == ("rejected", "wrong surplus")
        assert (await api.post(f"/allocations/{allocation_id}/post")).json()["error"]["code"] == "allocation_not_approved"
        assert (await api.post(f"/periods/{period}/allocations", PROPOSAL)).status_code == 201


class TestStatementsAndExports:
    async def test_statement_has_running_balances_linked_to_sources(self, api, period, uow_factory):
        allocation_id = await approved_allocation(api, uow_factory, period)
        await api.post(f"/allocations/{allocation_id}/post")
        body = (await api.get(f"/capital-accounts/{BEN}/statement", BEN, "member", params={"as_of": "2026-12-31"})).json()
        assert body["display_name"] == "Ben Ode"
        assert [(l["source_type"], l["book_balance"], l["tax_balance"]) for l in body["lines"]] == [
            ("contribution", "2000.00", "1200.00"), ("allocation", "2444.44", "1644.44"),
        ]
        assert body["lines"][1]["source_id"] == allocation_id
        assert (await api.get(f"/capital-accounts/{BEN}/statement", ANA, "member")).status_code == 404

    async def test_k1_ties_and_exports_csv(self, api, period, uow_factory):
        allocation_id = await approved_allocation(api, uow_factory, period)
        await api.post(f"/allocations/{allocation_id}/post")
        rows = (await api.get("/exports/k1", params={"year": 2026})).json()["rows"]
        ben = next(r for r in rows if r["member_id"] == str(BEN))
        assert ben["item_l_tax"] | {"other_explanation": ""} == {
            "beginning": "0.00", "contributed": "1200.00", "income": "444.44", "other": "0.00",
            "other_explanation": "", "withdrawals": "0.00", "ending": "1644.44",
        }
        assert (ben["book_704b"]["contributed"], ben["section_704c_gain_ending"]) == ("2000.00", "800.00")
        assert ben["section_704c_gain_beginning"] == "0.00"
        assert ben["item_j"]["profit_share_percent_ending"] == ben["item_j"]["loss_share_percent_ending"] == "44.4440"
        assert ben["item_j"]["profit_share_percent_beginning"] == "0.0000"
        table = list(csv.DictReader(io.StringIO((await api.get("/exports/k1", params={"year": 2026, "format": "csv"})).text)))
        assert {r["display_name"] for r in table} == {"Ana Ruiz", "Ben Ode"}
        assert "ssn" not in "".join(table[0]).lower() and "tin" not in table[0]
        assert (await api.get("/exports/k1", role="steward", params={"year": 2026})).status_code == 403

    async def test_hledger_journal_balances_equal_the_api(self, api, period, uow_factory, tmp_path):
        allocation_id = await approved_allocation(api, uow_factory, period)
        await api.post(f"/allocations/{allocation_id}/post")
        for basis in ("book", "tax"):
            journal = (await api.get("/exports/journal", params={"basis": basis})).text
            # named by member number (first seen: their capital, before their member events), tagged with id and name
            assert re.search(rf"^account equity:capital:M\d{{5}}  ; type: E, member: {ANA}, name: Ana Ruiz$", journal, re.MULTILINE)
            assert " = " in journal
            if not shutil.which("hledger"):
                continue
            path = tmp_path / f"{basis}.journal"
            path.write_text(journal)
            subprocess.run(["hledger", "-f", str(path), "check", "-s"], check=True, capture_output=True)  # noqa: ASYNC221
            for member in (ANA, BEN):
                out = subprocess.run(["hledger", "-f", str(path), "balance", f"tag:member={member}", "--flat",  # noqa: ASYNC221
                                      "--no-total", "-O", "csv"], check=True, capture_output=True, text=True).stdout
                [row] = csv.DictReader(io.StringIO(out))
                api_balance = (await api.get(f"/capital-accounts/{member}")).json()[f"{basis}_balance"]
                assert -Decimal(row["balance"].removesuffix(" USD")) == Decimal(api_balance)
        if not shutil.which("hledger"):
            pytest.skip("hledger not installed: journal text checked, hledger check skipped")
