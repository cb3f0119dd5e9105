"""Distributions, reversals, exceptions and the member replica through HTTP and the consumers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from habitat_common.contracts import Envelope, MemberUpdatedV1
from sqlalchemy import text

from habitat_ledger.entrypoints.consumers import contribution_approved_handler, member_handler
from tests.ledger_builders import approved, envelope

ANA = uuid.UUID(int=1)
Q1 = {"name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}


@pytest.fixture
async def ana_with_500(api, uow_factory) -> str:
    period_id = uuid.UUID((await api.post("/periods", Q1)).json()["id"])
    await contribution_approved_handler(uow_factory)(envelope(approved(book="500.00", member_id=ANA, period_id=period_id)))
    return str(period_id)


async def schedule(api, amount: str) -> dict:
    body = {"member_id": str(ANA), "amount": amount, "method": "check", "scheduled_on": "2026-04-15"}
    response = await api.post("/distributions", body)
    assert response.status_code == 201
    return response.json()


class TestDistributionsHttp:
    async def test_complete_debits_capital_and_is_announced(self, api, ana_with_500, connection):
        distribution = await schedule(api, "200.00")
        done = await api.complete(distribution["id"], {"reference": "CHK-7", "paid_on": "2026-04-16"})
        assert (done.json()["distribution"]["status"], done.json()["distribution"]["reference"]) == ("completed", "CHK-7")
        assert (await api.get(f"/capital-accounts/{ANA}")).json()["book_balance"] == "300.00"
        keys = (await connection.execute(text("SELECT routing_key FROM ledger.outbox"))).scalars().all()
        assert "ledger.distribution_completed.v1" in keys

    async def test_overdraw_is_409_unless_overridden(self, api, ana_with_500):
        distribution = await schedule(api, "600.00")
        refused = await api.post(f"/distributions/{distribution['id']}/complete", {"reference": "ACH-1"})
        assert (refused.status_code, refused.json()["error"]["code"]) == (409, "would_overdraw_capital")
        body = {"reference": "ACH-1", "override_reason": "deficit restoration obligation signed"}
        done = (await api.complete(distribution["id"], body)).json()["distribution"]
        assert done["override_reason"] == "deficit restoration obligation signed"
        assert (await api.get(f"/capital-accounts/{ANA}")).json()["tax_balance"] == "-100.00"

    async def test_members_see_only_their_own_and_cannot_schedule(self, api, ana_with_500):
        distribution = await schedule(api, "50.00")
        assert (await api.get("/distributions", ANA, "member")).json()["items"][0]["id"] == distribution["id"]
        assert (await api.get("/distributions", uuid.uuid4(), "member")).json()["items"] == []
        assert (await api.get(f"/distributions/{distribution['id']}", uuid.uuid4(), "member")).status_code == 404
        body = {"member_id": str(ANA), "amount": "1.00", "method": "ach", "scheduled_on": "2026-04-15"}
        assert (await api.post("/distributions", body, ANA, "member")).status_code == 403
        assert (await api.post("/distributions", {**body, "amount": 1.0})).status_code == 422  # floats refused

    async def test_cancel_only_while_scheduled(self, api, ana_with_500):
        distribution = await schedule(api, "50.00")
        cancelled = await api.post(f"/distributions/{distribution['id']}/cancel", {"reason": "member asked"})
        assert cancelled.json()["status"] == "cancelled"
        again = await api.post(f"/distributions/{distribution['id']}/cancel", {"reason": "again"})
        assert (again.status_code, again.json()["error"]["code"]) == (409, "distribution_not_scheduled")


@pytest.fixture
async def ana_opening_500(api, connection) -> None:
    """Ana's opening balance of 500.00 on both bases, imported (opening balances are reversed directly)."""
    await connection.execute(text("INSERT INTO ledger.member (id, email, display_name, status, updated_at)"
                                  " VALUES (:id, 'ana@example.org', 'Ana', 'active', now())"), {"id": ANA})
    response = await api.import_opening_balances("member_email,book_balance,tax_balance,as_of\nana@example.org,500,500,2025-12-31\n")
    assert response.status_code == 200, response.text


class TestReverseHttp:
    async def test_reverse_once_and_the_statement_shows_it(self, api, ana_opening_500):
        line = (await api.get(f"/capital-accounts/{ANA}/statement", params={"as_of": "2026-12-31"})).json()["lines"][0]
        reversal = await api.reverse(line["transaction_id"], {"reason": "duplicate entry", "occurred_on": "2026-03-01"})
        assert reversal.status_code == 200
        assert reversal.json()["reversal"]["reverses_id"] == line["transaction_id"]
        again = await api.post(f"/transactions/{line['transaction_id']}/reverse", {"reason": "x", "occurred_on": "2026-03-01"})
        assert (again.status_code, again.json()["error"]["code"]) == (409, "already_reversed")
        lines = (await api.get(f"/capital-accounts/{ANA}/statement", params={"as_of": "2026-12-31"})).json()["lines"]
        assert [(l["source_type"], l["book_balance"]) for l in lines] == [("opening_balance", "500.00"), ("reversal", "0.00")]
        assert (await api.post(f"/transactions/{uuid.uuid4()}/reverse", {"reason": "x"})).status_code == 404
        assert (await api.post(f"/transactions/{line['transaction_id']}/reverse", {"reason": "x"}, role="steward")).status_code == 403


class TestExceptionsAndReplica:
    async def test_a_contribution_for_an_unknown_period_waits_then_applies(self, api, uow_factory):
        handle = contribution_approved_handler(uow_factory)
        orphan = approved(book="40.00", member_id=ANA, period_id=uuid.uuid4())
        assert await handle(envelope(orphan)) is True
        assert [e["reason"] for e in (await api.get("/exceptions")).json()["items"]] == ["unknown_period"]
        assert (await api.get("/exceptions", role="steward")).status_code == 403
        assert (await api.get(f"/capital-accounts/{ANA}")).json()["book_balance"] == "0.00"

    async def test_member_updates_are_applied_once_and_never_go_back_in_time(self, uow_factory, connection):
        handle = member_handler(uow_factory, "ledger.member_updated")

        def update(name: str, at: datetime) -> Envelope:
            contract = MemberUpdatedV1(member_id=ANA, email="ana@x.org", display_name=name, role="member",
                                       status="active", joined_at="2026-01-01")
            raw = Envelope.wrap(contract, producer="identity").model_copy(update={"occurred_at": at})
            return Envelope[MemberUpdatedV1].model_validate_json(raw.model_dump_json())

        now = datetime.now(UTC)
        newer = update("Ana R.", now)
        assert await handle(newer) is True
        assert await handle(newer) is False
        await handle(update("Ana (old)", now - timedelta(minutes=5)))
        assert await connection.scalar(text("SELECT display_name FROM ledger.member")) == "Ana R."
