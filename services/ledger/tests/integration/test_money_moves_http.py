"""Two people move money (PRODUCT.md rule 12), through the ledger's HTTP API on PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from decimal import Decimal

import httpx
import pytest
from habitat_common.settings import DatabaseSettings
from habitat_common.testing import LocalKeys, temporary_database
from sqlalchemy import text

from habitat_ledger.bootstrap import build
from habitat_ledger.config import LedgerSettings
from habitat_ledger.domain.commands import CompleteDistribution, OpenPeriod, ScheduleDistribution
from habitat_ledger.domain.distributions.money_move import ApprovalPolicy
from habitat_ledger.domain.errors import MoneyMoveNotPending, WouldOverdrawCapital
from habitat_ledger.entrypoints.consumers import contribution_approved_handler
from habitat_ledger.entrypoints.http import create_app
from habitat_ledger.service_layer.close.periods import open_period
from habitat_ledger.service_layer.distributions.distributions import schedule_distribution
from habitat_ledger.service_layer.distributions.money_moves import approve_move, request_completion
from tests.ledger_api import ADMIN, ADMIN2, Api
from tests.ledger_builders import approved, envelope
from tests.ledger_db import TransactionReads, alembic

ANA, ADMIN3 = uuid.UUID(int=1), uuid.uuid4()
Q1 = {"name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}
CSV = "member_email,book_balance,tax_balance,as_of\nana@example.org,500,400,2025-12-31\n"


@pytest.fixture
async def ana_with_500(api, uow_factory, connection) -> None:
    await connection.execute(text("INSERT INTO ledger.member (id, email, display_name, status, updated_at)"
                                  " VALUES (:id, 'ana@example.org', 'Ana', 'active', now())"), {"id": ANA})
    period_id = uuid.UUID((await api.post("/periods", Q1)).json()["id"])
    await contribution_approved_handler(uow_factory)(envelope(approved(book="500.00", member_id=ANA, period_id=period_id)))


async def schedule(api, member_id=ANA, amount="200.00", who=ADMIN) -> dict:
    body = {"member_id": str(member_id), "amount": amount, "method": "check", "scheduled_on": "2026-04-15"}
    response = await api.post("/distributions", body, who)
    assert response.status_code == 201, response.text
    return response.json()


def refused(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


async def balance(api) -> str:
    return (await api.get(f"/capital-accounts/{ANA}")).json()["book_balance"]


class TestCompletingADistribution:
    async def test_two_admins_complete_it(self, api, ana_with_500):
        distribution = await schedule(api)
        requested = await api.post(f"/distributions/{distribution['id']}/complete", {"reference": "CHK-1", "paid_on": "2026-04-16"})
        assert requested.status_code == 202, requested.text
        move = requested.json()
        assert (move["kind"], move["status"], move["target_id"], move["approvals_required"]) == (
            "complete_distribution", "requested", distribution["id"], 2)
        assert move["parameters"] == {"member_id": str(ANA), "amount": "200.00", "reference": "CHK-1",
                                      "paid_on": "2026-04-16", "method": "check", "override_reason": None}
        assert [m["id"] for m in (await api.get("/money-moves", params={"status": "requested"})).json()["items"]] == [
            move["id"]]
        assert (await balance(api), move["distribution"]["status"]) == ("500.00", "scheduled")
        done = await api.post(f"/money-moves/{move['id']}/approve", who=ADMIN2)
        assert done.status_code == 200, done.text
        assert (done.json()["status"], done.json()["result_id"], done.json()["single_admin"]) == (
            "executed", distribution["id"], False)
        assert [a["by"] for a in done.json()["approvals"]] == [str(ADMIN), str(ADMIN2)]
        assert (done.json()["distribution"]["status"], done.json()["distribution"]["completed_by"]) == (
            "completed", str(ADMIN))
        assert await balance(api) == "300.00"
        again = await api.post(f"/money-moves/{move['id']}/approve", who=ADMIN2)
        assert (again.status_code, await balance(api)) == (200, "300.00")  # a retried approval pays once

    async def test_one_admin_cannot(self, api, ana_with_500):
        distribution = await schedule(api)
        move = (await api.post(f"/distributions/{distribution['id']}/complete", {"reference": "CHK-1"})).json()
        alone = await api.post(f"/money-moves/{move['id']}/approve")
        assert (alone.status_code, alone.json()["status"], await balance(api)) == (200, "requested", "500.00")
        assert (await api.post(f"/money-moves/{move['id']}/approve", role="steward")).status_code == 403
        rejected = await api.post(f"/money-moves/{move['id']}/reject", {"reason": "wrong check"}, ADMIN2)
        assert (rejected.json()["status"], rejected.json()["rejection"]["reason"]) == ("rejected", "wrong check")
        assert refused(await api.post(f"/money-moves/{move['id']}/approve", who=ADMIN3)) == (409, "money_move_not_pending")
        assert (await api.get(f"/distributions/{distribution['id']}")).json()["status"] == "scheduled"

    async def test_nobody_pays_themselves(self, api, ana_with_500):
        body = {"member_id": str(ADMIN), "amount": "10.00", "method": "check", "scheduled_on": "2026-04-15"}
        assert refused(await api.post("/distributions", body)) == (403, "own_distribution")
        distribution = await schedule(api, who=ADMIN2)
        assert refused(await api.post(f"/distributions/{distribution['id']}/complete", {"reference": "X"}, ANA)) == (
            403, "own_distribution")  # Ana, were she an admin
        move = (await api.post(f"/distributions/{distribution['id']}/complete", {"reference": "X"})).json()
        assert refused(await api.post(f"/money-moves/{move['id']}/approve", who=ANA)) == (403, "own_distribution")

    async def test_an_overdraw_override_is_approved_with_the_completion(self, api, ana_with_500):
        distribution = await schedule(api, amount="600.00")
        assert refused(await api.post(f"/distributions/{distribution['id']}/complete", {"reference": "A"})) == (
            409, "would_overdraw_capital")
        body = {"reference": "A", "override_reason": "deficit restoration obligation signed"}
        move = (await api.post(f"/distributions/{distribution['id']}/complete", body)).json()
        assert (move["parameters"]["override_reason"], await balance(api)) == (body["override_reason"], "500.00")
        other = await api.post(f"/distributions/{distribution['id']}/complete", {**body, "reference": "B"}, ADMIN2)
        assert refused(other) == (409, "money_move_pending")
        assert (await api.post(f"/money-moves/{move['id']}/approve", who=ADMIN2)).json()["status"] == "executed"
        assert await balance(api) == "-100.00"

    async def test_the_execution_checks_the_lock_date_again(self, api, ana_with_500, connection):
        distribution = await schedule(api)
        move = (await api.post(f"/distributions/{distribution['id']}/complete",
                               {"reference": "C", "paid_on": "2026-03-20"})).json()
        await connection.execute(text("UPDATE ledger.period SET status = 'closed'"))
        assert refused(await api.post(f"/money-moves/{move['id']}/approve", who=ADMIN2)) == (409, "period_locked")
        assert ((await api.get(f"/money-moves/{move['id']}")).json()["status"], await balance(api)) == (
            "requested", "500.00")


class TestReversalAndImport:
    async def test_an_opening_balance_import_waits_for_the_second_admin_and_imports_what_was_requested(
        self, api, connection
    ):
        await connection.execute(text("INSERT INTO ledger.member (id, email, display_name, status, updated_at)"
                                      " VALUES (:id, 'ana@example.org', 'Ana', 'active', now())"), {"id": ANA})
        requested = await api.client.post("/imports/capital-accounts", content=CSV.encode(),
                                          headers={**api.auth(ADMIN, "admin"), "Content-Type": "text/csv"})
        assert requested.status_code == 202, requested.text
        body = requested.json()
        assert (body["import_id"], body["summary"]["created"], body["money_move"]["status"]) == (None, 1, "requested")
        assert body["money_move"]["parameters"]["book_total"] == "500.00"
        assert await balance(api) == "0.00"
        done = await api.post(f"/money-moves/{body['money_move']['id']}/approve", who=ADMIN2)
        assert (done.json()["status"], await balance(api)) == ("executed", "500.00")
        imported_by = text("SELECT imported_by FROM ledger.capital_import WHERE id = :id")
        assert await connection.scalar(imported_by, {"id": done.json()["result_id"]}) == ADMIN

    async def test_a_reversal_needs_the_second_admin(self, api, connection):
        await connection.execute(text("INSERT INTO ledger.member (id, email, display_name, status, updated_at)"
                                      " VALUES (:id, 'ana@example.org', 'Ana', 'active', now())"), {"id": ANA})
        assert (await api.import_opening_balances(CSV)).status_code == 200
        [line] = (await api.get(f"/capital-accounts/{ANA}/statement", params={"as_of": "2026-12-31"})).json()["lines"]
        requested = await api.post(f"/transactions/{line['transaction_id']}/reverse",
                                   {"reason": "typo", "occurred_on": "2026-04-01"})
        assert (requested.status_code, requested.json()["parameters"]) == (
            202, {"reason": "typo", "occurred_on": "2026-04-01"})
        assert await balance(api) == "500.00"
        done = await api.post(f"/money-moves/{requested.json()['id']}/approve", who=ADMIN2)
        assert (done.json()["reversal"]["reverses_id"], await balance(api)) == (line["transaction_id"], "0.00")


class TestASingleAdminCoop:
    @pytest.fixture
    async def alone(self, settings, connection, session_factory):
        keys = LocalKeys()
        single = settings.model_copy(update={"money_move_approvals_required": 1, "single_admin_coop": True})
        app = create_app(single, keys, session_factory=session_factory, reads=TransactionReads(connection))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ledger") as client:
            yield Api(client, keys)

    async def test_one_admin_is_enough_and_each_move_says_so(self, alone, ana_with_500, connection):
        distribution = await schedule(alone)
        done = await alone.post(f"/distributions/{distribution['id']}/complete", {"reference": "CHK-9"})
        assert (done.status_code, done.json()["status"], done.json()["single_admin"]) == (200, "executed", True)
        assert await balance(alone) == "300.00"
        audit = text("SELECT single_admin, requested_by FROM ledger.money_move WHERE id = :id")
        assert tuple((await connection.execute(audit, {"id": done.json()["id"]})).one()) == (True, ADMIN)

    async def test_an_import_and_a_reversal_go_through_at_once(self, alone, connection):
        await connection.execute(text("INSERT INTO ledger.member (id, email, display_name, status, updated_at)"
                                      " VALUES (:id, 'ana@example.org', 'Ana', 'active', now())"), {"id": ANA})
        imported = await alone.client.post("/imports/capital-accounts", content=CSV.encode(),
                                           headers={**alone.auth(ADMIN, "admin"), "Content-Type": "text/csv"})
        body = imported.json()
        assert (imported.status_code, body["money_move"]["status"], body["money_move"]["single_admin"]) == (
            200, "executed", True)
        assert body["import_id"] == body["money_move"]["result_id"] and await balance(alone) == "500.00"
        [line] = (await alone.get(f"/capital-accounts/{ANA}/statement", params={"as_of": "2026-12-31"})).json()["lines"]
        reversed_ = await alone.post(f"/transactions/{line['transaction_id']}/reverse",
                                     {"reason": "typo", "occurred_on": "2026-04-01"})
        assert (reversed_.status_code, reversed_.json()["single_admin"], await balance(alone)) == (201, True, "0.00")

    def test_one_approval_needs_the_single_admin_setting(self):
        with pytest.raises(ValueError, match="LEDGER_SINGLE_ADMIN_COOP"):
            LedgerSettings(money_move_approvals_required=1)


@pytest.fixture(scope="module")
def committing_url():
    with temporary_database("ledger_money_moves") as url:
        alembic(url, ("upgrade", "head"))
        yield url


async def test_concurrent_approvals_execute_once(committing_url):
    ledger = build(LedgerSettings(database=DatabaseSettings(url=committing_url)))
    try:
        member = uuid.uuid4()
        distribution = await schedule_distribution(
            ScheduleDistribution(member, Decimal("25.00"), "ach", date(2026, 4, 1), ADMIN), ledger.uow()
        )
        command = CompleteDistribution(distribution.id, "ACH-9", date(2026, 4, 2), "advance against Q2", ADMIN)
        move = await request_completion(command, ledger.uow(), policy=ApprovalPolicy())
        results = await asyncio.gather(
            *(approve_move(move.id, admin, ledger.uow()) for admin in (ADMIN2, ADMIN3)), return_exceptions=True
        )
        assert sorted(type(r).__name__ for r in results) == ["MoneyMove", "MoneyMoveNotPending"]
        assert any(isinstance(r, MoneyMoveNotPending) for r in results)
        async with ledger.engine.connect() as conn:
            paid = text("SELECT count(*) FROM ledger.journal_transaction WHERE source_id = :id")
            assert await conn.scalar(paid, {"id": distribution.id}) == 1
    finally:
        await ledger.engine.dispose()


# found by the fault suite (recipe 8): each completion locked its distribution but read the member's balance
# unlocked, so completions of the member's other distributions executed at once all passed the overdraw check
async def test_concurrent_completions_of_one_member_never_overdraw(committing_url):
    ledger = build(LedgerSettings(database=DatabaseSettings(url=committing_url)))
    try:
        member = uuid.uuid4()
        period = await open_period(OpenPeriod("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), ADMIN), ledger.uow())
        booked = approved(book="100.00", tax="100.00", member_id=member, period_id=period.id)
        await contribution_approved_handler(ledger.uow)(envelope(booked))
        moves = []
        for _ in range(8):  # each 40.00: the balance covers two
            scheduled = await schedule_distribution(
                ScheduleDistribution(member, Decimal("40.00"), "ach", date(2026, 4, 1), ADMIN), ledger.uow()
            )
            command = CompleteDistribution(scheduled.id, "ACH-1", date(2026, 4, 2), None, ADMIN)
            moves.append(await request_completion(command, ledger.uow(), policy=ApprovalPolicy()))
        results = await asyncio.gather(
            *(approve_move(move.id, ADMIN2, ledger.uow()) for move in moves), return_exceptions=True
        )
        assert sum(not isinstance(r, Exception) for r in results) == 2
        assert all(isinstance(r, WouldOverdrawCapital) for r in results if isinstance(r, Exception)), results
        async with ledger.engine.connect() as conn:
            balance = text(
                "SELECT coalesce(sum(p.amount), 0) FROM ledger.posting p JOIN ledger.account a ON a.id = p.account_id"
                " WHERE a.member_id = :m AND a.kind = 'member_capital' AND p.basis = 'book'"
            )
            assert abs(await conn.scalar(balance, {"m": member})) == Decimal("20.00")
    finally:
        await ledger.engine.dispose()
