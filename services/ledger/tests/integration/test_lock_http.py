"""Closed means closed through HTTP: nothing posts on or before the lock date, workflow entries are not
reversed directly, and default dates are the co-op's today."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from habitat_common.coop import CoopSettings
from habitat_common.testing import LocalKeys
from sqlalchemy import text

from habitat_ledger.entrypoints.consumers import contribution_approved_handler
from habitat_ledger.entrypoints.http import create_app
from tests.ledger_api import ADMIN, Api
from tests.ledger_builders import approved, envelope
from tests.ledger_db import TransactionReads

ANA = uuid.UUID(int=21)
Q1 = {"name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}
HEADER = "member_email,book_balance,tax_balance,as_of,note\n"


@pytest.fixture(autouse=True)
async def ana(connection):
    await connection.execute(
        text("INSERT INTO ledger.member (id, email, display_name, status, updated_at)"
             " VALUES (:id, 'ana@example.org', 'Ana', 'active', now())"),
        {"id": ANA},
    )


async def import_balances(api: Api, rows: str) -> httpx.Response:
    return await api.import_opening_balances(HEADER + rows)


async def opening_transaction(api: Api) -> str:
    """Ana's opening balance (2025-12-31), booked through the import; its transaction id."""
    assert (await import_balances(api, "ana@example.org,1000.00,1000.00,2025-12-31,\n")).status_code == 200
    lines = (await api.get(f"/capital-accounts/{ANA}/statement")).json()["lines"]
    return next(line["transaction_id"] for line in lines if line["source_type"] == "opening_balance")


async def close_q1(api: Api, connection) -> str:
    period_id = (await api.post("/periods", Q1)).json()["id"]
    await connection.execute(text("UPDATE ledger.period SET status = 'closed' WHERE id = :id"), {"id": period_id})
    return period_id


async def issue_year(connection, year: int) -> None:
    await connection.execute(
        text("INSERT INTO ledger.k1_issue (year, issued_at, issued_by) VALUES (:year, now(), :by)"),
        {"year": year, "by": ADMIN},
    )


def refused(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


class TestNothingPostsOnOrBeforeTheLock:
    async def test_a_backdated_reversal_is_refused_and_one_after_the_lock_posts(self, api, connection):
        transaction_id = await opening_transaction(api)
        await close_q1(api, connection)
        backdated = await api.post(f"/transactions/{transaction_id}/reverse", {"reason": "typo", "occurred_on": "2026-03-31"})
        assert refused(backdated) == (409, "period_locked")
        assert "2026-03-31, the end of closed period 2026-Q1" in backdated.json()["error"]["message"]
        in_gap = await api.post(f"/transactions/{transaction_id}/reverse", {"reason": "typo", "occurred_on": "2025-06-01"})
        assert refused(in_gap) == (409, "period_locked")  # before any period: still under the lock
        after = await api.reverse(transaction_id, {"reason": "typo", "occurred_on": "2026-04-01"})
        assert after.status_code == 200, after.text

    async def test_an_issued_year_locks_through_december_31(self, api, connection):
        transaction_id = await opening_transaction(api)
        await issue_year(connection, 2026)
        inside = await api.post(f"/transactions/{transaction_id}/reverse", {"reason": "x", "occurred_on": "2026-12-31"})
        assert refused(inside) == (409, "period_locked")
        assert "whose K-1s were issued" in inside.json()["error"]["message"]

    async def test_a_distribution_paid_in_the_locked_past_is_refused(self, api, uow_factory, connection):
        period_id = uuid.UUID((await api.post("/periods", Q1)).json()["id"])
        await contribution_approved_handler(uow_factory)(envelope(approved(book="500.00", member_id=ANA,
                                                                           period_id=period_id)))
        await connection.execute(text("UPDATE ledger.period SET status = 'closed'"))
        body = {"member_id": str(ANA), "amount": "100.00", "method": "check", "scheduled_on": "2026-03-15"}
        distribution = (await api.post("/distributions", body)).json()
        paid = await api.post(f"/distributions/{distribution['id']}/complete", {"reference": "CHK-1", "paid_on": "2026-03-20"})
        assert refused(paid) == (409, "period_locked")
        assert (await api.get(f"/capital-accounts/{ANA}")).json()["book_balance"] == "500.00"

    async def test_an_opening_balance_dated_on_or_before_the_lock_is_refused_whole(self, api, connection):
        await issue_year(connection, 2025)  # no period is closed: the issued year alone locks 2025
        response = await import_balances(api, "ana@example.org,1000.00,1000.00,2025-12-31,\n")
        assert refused(response) == (422, "invalid_csv")
        error = response.json()["error"]
        assert [(p["line"], p["field"], p["code"]) for p in error["errors"]] == [(2, "as_of", "period_locked")]
        assert "whose K-1s were issued" in error["errors"][0]["message"]
        written = text("SELECT count(*) FROM ledger.journal_transaction WHERE member_id = :m")
        assert await connection.scalar(written, {"m": ANA}) == 0

    async def test_no_period_starts_on_or_before_the_lock(self, api, connection):
        await close_q1(api, connection)
        early = await api.post("/periods", {"name": "2026-Q1b", "starts_on": "2026-03-31", "ends_on": "2026-04-30"})
        assert refused(early) == (409, "period_before_lock")
        assert "2026-03-31" in early.json()["error"]["message"]
        await issue_year(connection, 2026)
        q4 = await api.post("/periods", {"name": "2026-Q4", "starts_on": "2026-10-01", "ends_on": "2026-12-31"})
        assert refused(q4) == (409, "period_before_lock")
        next_year = await api.post("/periods", {"name": "2027-Q1", "starts_on": "2027-01-01", "ends_on": "2027-03-31"})
        assert next_year.status_code == 201, next_year.text


class TestWorkflowEntries:
    async def test_a_contribution_entry_is_refused_with_a_pointer_to_a_correction(self, api, uow_factory):
        period_id = uuid.UUID((await api.post("/periods", Q1)).json()["id"])
        contribution = approved(book="500.00", member_id=ANA, period_id=period_id)
        await contribution_approved_handler(uow_factory)(envelope(contribution))
        line = (await api.get(f"/capital-accounts/{ANA}/statement")).json()["lines"][0]
        response = await api.post(f"/transactions/{line['transaction_id']}/reverse",
                                  {"reason": "wrong amount", "occurred_on": "2026-03-01"})
        assert refused(response) == (409, "reversal_belongs_to_workflow")
        assert f"submit a correction of contribution {contribution.contribution_id}" in response.json()["error"]["message"]


class TestTheCoopsToday:
    @pytest.fixture
    async def denver_api(self, settings, connection, session_factory):
        """Half past midnight UTC on July 1 is still June 30 in Denver."""
        keys = LocalKeys()
        denver = settings.model_copy(update={"coop": CoopSettings(time_zone="America/Denver")})
        app = create_app(denver, keys, session_factory=session_factory, reads=TransactionReads(connection),
                         clock=lambda: datetime(2026, 7, 1, 0, 30, tzinfo=UTC))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ledger") as client:
            yield Api(client, keys)

    async def test_a_reversal_without_a_date_is_dated_the_coops_today(self, denver_api):
        transaction_id = await opening_transaction(denver_api)
        reversal = await denver_api.reverse(transaction_id, {"reason": "typo"})
        assert reversal.status_code == 200, reversal.text
        assert reversal.json()["reversal"]["occurred_on"] == "2026-06-30"

    async def test_a_payment_without_a_date_is_paid_the_coops_today(self, denver_api):
        await opening_transaction(denver_api)
        body = {"member_id": str(ANA), "amount": "100.00", "method": "check", "scheduled_on": "2026-06-15"}
        distribution = (await denver_api.post("/distributions", body)).json()
        paid = await denver_api.complete(distribution["id"], {"reference": "CHK-2"})
        assert paid.status_code == 200, paid.text
        assert paid.json()["distribution"]["paid_on"] == "2026-06-30"
        assert (await denver_api.get(f"/capital-accounts/{ANA}")).json()["as_of"] == "2026-06-30"
