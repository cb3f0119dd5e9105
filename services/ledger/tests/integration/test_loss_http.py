"""A period that ends in a loss, with a tax result of its own, closed through the ledger's HTTP API on PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date
from decimal import Decimal

import pytest
from habitat_common.contracts import Envelope, MemberRegisteredV1, PeriodSealedV1, SealedMemberTotal
from sqlalchemy import text

from habitat_ledger.entrypoints.consumers import (
    contribution_approved_handler,
    member_handler,
    period_sealed_handler,
)
from tests.ledger_api import ADMIN, ADMIN2
from tests.ledger_builders import approved, envelope

Q2 = {"name": "2026-Q2", "starts_on": "2026-04-01", "ends_on": "2026-06-30"}
CAL, DEE = uuid.UUID(int=11), uuid.UUID(int=12)
# weighted patronage: Cal labor 1000 + capital 500 x 0.5 = 1250; Dee property 2000 x 0.5 = 1000 (5 : 4)
MAY = date(2026, 5, 4)
LOSS = {"surplus": "-4600.00", "tax_surplus": "-3000.01"}


@pytest.fixture
async def closing(api, uow_factory) -> str:
    """Q2, closing and sealed: Cal labor 1000 + capital 500; Dee property FMV 2000 (tax basis 1200)."""
    period_id = uuid.UUID((await api.post("/periods", Q2)).json()["id"])
    book = contribution_approved_handler(uow_factory)
    contributions = (
        approved("labor", value="1000.00", member_id=CAL, period_id=period_id, contributed_on=MAY),
        approved("capital", book="500.00", member_id=CAL, period_id=period_id, contributed_on=MAY),
        approved("property", book="2000.00", tax="1200.00", member_id=DEE, period_id=period_id, contributed_on=MAY),
    )
    for contract in contributions:
        assert await book(envelope(contract)) is True
    register = member_handler(uow_factory, "ledger.member_registered")
    for member, name in ((CAL, "Cal Ito"), (DEE, "Dee Park")):
        contract = MemberRegisteredV1(member_id=member, email=f"{name[:3]}@x.org", display_name=name, role="member",
                                      status="active", joined_at="2026-01-01")
        await register(_wrapped(contract))
    assert (await api.post(f"/periods/{period_id}/close")).status_code == 200
    sealed = PeriodSealedV1(
        period_id=period_id, total_count=3, total_value=Decimal("3500.00"), pending_count=0,
        members=[SealedMemberTotal(member_id=CAL, approved_count=2, approved_value=Decimal("1500.00")),
                 SealedMemberTotal(member_id=DEE, approved_count=1, approved_value=Decimal("2000.00"))],
    )
    assert await period_sealed_handler(uow_factory)(_wrapped(sealed)) is True
    return str(period_id)


def _wrapped(contract) -> Envelope:
    raw = Envelope.wrap(contract, producer="test")
    return Envelope[type(contract)].model_validate_json(raw.model_dump_json())


async def _approved(api, period_id: str, body: dict) -> dict:
    created = await api.post(f"/periods/{period_id}/allocations", body)
    assert created.status_code == 201, created.text
    for approver in (ADMIN, ADMIN2):
        await api.post(f"/allocations/{created.json()['id']}/approve", who=approver)
    return created.json()


class TestProposeALoss:
    async def test_a_loss_with_a_cash_portion_is_422_with_a_code_and_a_sentence(self, api, closing):
        refused = await api.post(f"/periods/{closing}/allocations", {**LOSS, "cash_portion": "25"})
        error = refused.json()["error"]
        assert (refused.status_code, error["code"]) == (422, "loss_has_no_cash_portion")
        assert error["message"] == "A loss of 4600.00 is allocated to capital only; its cash portion must be 0, not 25.00%."
        assert (await api.post(f"/periods/{closing}/allocations", LOSS)).status_code == 201  # nothing was stored

    async def test_book_and_tax_are_each_allocated_exactly_and_hashed(self, api, closing, uow_factory):
        body = (await api.post(f"/periods/{closing}/allocations", LOSS)).json()
        assert (body["inputs"]["surplus"], body["inputs"]["tax_surplus"], body["inputs"]["cash_portion"]) == (
            "-4600.00", "-3000.01", "0.00",
        )
        rows = [(r["display_name"], r["allocation"], r["tax_allocation"], r["cash_portion_amount"], r["retained_amount"])
                for r in body["rows"]]
        assert rows == [
            ("Cal Ito", "-2555.56", "-1666.67", "0.00", "-2555.56"),
            ("Dee Park", "-2044.44", "-1333.34", "0.00", "-2044.44"),
        ]
        async with uow_factory() as uow:
            record = await uow.allocations.get(uuid.UUID(body["id"]))
        snapshot_part = {"through_seq": record.patronage_through_seq}
        async with uow_factory() as uow:
            snapshot_part["groups_sha256"] = (await uow.patronage.snapshot(record.period_id)).groups_sha256
        document = {"contributions": snapshot_part, "inputs": record.inputs,
                    "rows": [r.canonical(with_tax=True) for r in record.rows]}
        canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
        assert '"tax_allocation":"-1666.67"' in canonical
        assert body["content_hash"] == hashlib.sha256(canonical.encode()).hexdigest()

    async def test_zero_is_a_valid_result(self, api, closing):
        body = (await api.post(f"/periods/{closing}/allocations", {"surplus": "0.00"})).json()
        assert [(r["allocation"], r["tax_allocation"]) for r in body["rows"]] == [("0.00", "0.00"), ("0.00", "0.00")]


class TestPostALoss:
    async def test_capital_goes_negative_on_both_bases_by_the_exact_amounts(self, api, closing, connection):
        allocation = await _approved(api, closing, LOSS)
        assert allocation["status"] == "proposed"
        posted = await api.post(f"/allocations/{allocation['id']}/post")
        assert (posted.status_code, posted.json()["status"]) == (200, "posted")
        again = await api.post(f"/allocations/{allocation['id']}/post")  # twice is safe
        assert (again.status_code, again.json()["status"]) == (200, "posted")
        balances = {}
        for member in (CAL, DEE):
            account = (await api.get(f"/capital-accounts/{member}")).json()
            balances[member] = (account["book_balance"], account["tax_balance"])
        # Cal: capital 500 - 2555.56 book, 500 - 1666.67 tax; Dee: 2000 - 2044.44 book, 1200 - 1333.34 tax
        assert balances == {CAL: ("-2055.56", "-1166.67"), DEE: ("-44.44", "-133.34")}
        postings = (await connection.execute(text(
            "SELECT p.basis, a.kind, sum(p.amount), count(*) FROM ledger.posting AS p"
            " JOIN ledger.journal_transaction AS t ON t.id = p.transaction_id"
            " JOIN ledger.account AS a ON a.id = p.account_id"
            " WHERE t.source_type = 'allocation' AND t.source_id = :id GROUP BY 1, 2 ORDER BY 1, 2"
        ), {"id": allocation["id"]})).all()
        assert [(basis, kind, str(total), n) for basis, kind, total, n in postings] == [
            ("book", "coop_surplus", "-4600.00", 1), ("book", "member_capital", "4600.00", 2),
            ("tax", "coop_surplus", "-3000.01", 1), ("tax", "member_capital", "3000.01", 2),
        ]
        assert (await api.get("/distributions")).json()["items"] == []
        announced = (await connection.execute(text(
            "SELECT count(*) FROM ledger.outbox WHERE routing_key = 'ledger.allocation_posted.v1'"
        ))).scalar_one()
        assert announced == 1

    async def test_statements_show_the_loss_as_negative_amounts(self, api, closing):
        allocation = await _approved(api, closing, LOSS)
        await api.post(f"/allocations/{allocation['id']}/post")
        body = (await api.get(f"/capital-accounts/{DEE}/statement", DEE, "member", params={"as_of": "2026-12-31"})).json()
        line = body["lines"][-1]
        assert (line["source_type"], line["description"], line["book_amount"], line["tax_amount"]) == (
            "allocation", "Allocation of the 2026-Q2 loss", "-2044.44", "-1333.34",
        )
        assert (line["book_balance"], line["tax_balance"]) == ("-44.44", "-133.34")
        mine = (await api.get(f"/allocations/{allocation['id']}/statement/{DEE}", DEE, "member")).json()
        assert (mine["allocation"], mine["tax_allocation"]) == ("-2044.44", "-1333.34")
        assert "allocated a loss of 4600.00" in mine["lines"][0]
        assert "On the tax basis the result was a loss of 3000.01, allocated by the same shares." in mine["lines"]

    async def test_a_member_reads_their_own_book_and_tax_row(self, api, closing):
        allocation = await _approved(api, closing, LOSS)
        mine = (await api.get(f"/allocations/{allocation['id']}", CAL, "member")).json()
        assert [(r["allocation"], r["tax_allocation"]) for r in mine["rows"]] == [("-2555.56", "-1666.67")]
        assert mine["inputs"]["tax_surplus"] == "-3000.01"


class TestDraftOfALoss:
    async def test_the_draft_allocates_a_loss_and_says_so(self, api, closing):
        response = await api.get(f"/periods/{closing}/draft-allocation", CAL, "member",
                                 params={"surplus": "-1000.00", "tax_surplus": "-900.00"})
        body = response.json()
        assert (body["surplus"], body["tax_surplus"], body["allocated_total"], body["tax_allocated_total"]) == (
            "-1000.00", "-900.00", "-1000.00", "-900.00",
        )
        [row] = body["rows"]
        assert (row["allocation"], row["tax_allocation"]) == ("-555.56", "-500.00")
        assert row["explanation"].endswith(
            "so of a loss of 1000.00 your share is -555.56; on the tax basis, of a loss of 900.00 your share is -500.00."
        )

    async def test_without_a_tax_result_the_tax_share_equals_the_book_share(self, api, closing):
        body = (await api.get(f"/periods/{closing}/draft-allocation", params={"surplus": "-0.01"})).json()
        assert [(r["allocation"], r["tax_allocation"]) for r in body["rows"]] == [("-0.01", "-0.01"), ("0.00", "0.00")]
        assert body["tax_surplus"] == "-0.01"

    @pytest.mark.parametrize("bad", ["--1.00", "-1.001", "1e3", "-"])
    async def test_a_malformed_result_is_422(self, api, closing, bad):
        response = await api.get(f"/periods/{closing}/draft-allocation", params={"surplus": "1.00", "tax_surplus": bad})
        assert response.status_code == 422
