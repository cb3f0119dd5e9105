"""The ledger's member change feed (GET /member-changes): every posting statement that moves a member's capital
names that member, once per statement, whoever wrote it."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from habitat_ledger.entrypoints.consumers import (
    contribution_approved_batch_handler,
    contribution_approved_handler,
)
from tests.ledger_builders import approved, envelope

ANA, BEN = uuid.UUID(int=31), uuid.UUID(int=32)
Q1 = {"name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}


class Feed:
    def __init__(self, api) -> None:
        self.api = api
        self.cursor = 0

    async def named(self) -> list[uuid.UUID]:
        response = await self.api.client.get("/member-changes", params={"after": self.cursor})
        assert response.status_code == 200, response.text
        page = response.json()
        self.cursor = page["cursor"]
        return [uuid.UUID(change["member_id"]) for change in page["changes"]]


async def test_bookings_distributions_imports_and_reversals_name_the_members_whose_capital_moved(
    api, uow_factory, connection
):
    feed = Feed(api)
    period_id = uuid.UUID((await api.post("/periods", Q1)).json()["id"])
    assert await feed.named() == []  # opening a period moves nobody's capital
    await contribution_approved_handler(uow_factory)(envelope(approved(book="500.00", member_id=ANA, period_id=period_id)))
    assert await feed.named() == [ANA]
    batch = [envelope(approved(book=book, member_id=member, period_id=period_id))
             for member, book in ((ANA, "10.00"), (BEN, "20.00"), (BEN, "30.00"))]
    await contribution_approved_batch_handler(uow_factory)(batch)
    assert sorted(await feed.named()) == sorted([ANA, BEN])  # one statement: each member once
    body = {"member_id": str(ANA), "amount": "100.00", "method": "check", "scheduled_on": "2026-04-15"}
    distribution = (await api.post("/distributions", body)).json()
    assert await feed.named() == []  # scheduled: nothing booked yet
    done = await api.complete(distribution["id"], {"reference": "CHK-7", "paid_on": "2026-04-16"})
    assert done.status_code == 200, done.text
    assert await feed.named() == [ANA]
    await connection.execute(text("INSERT INTO ledger.member (id, email, display_name, status, updated_at)"
                                  " VALUES (:id, 'ben@example.org', 'Ben', 'active', now())"), {"id": BEN})
    imported = await api.import_opening_balances(
        "member_email,book_balance,tax_balance,as_of\nben@example.org,70,70,2025-12-31\n"
    )
    assert imported.status_code == 200, imported.text
    assert await feed.named() == [BEN]
    line = (await api.get(f"/capital-accounts/{BEN}/statement")).json()["lines"][0]
    assert line["source_type"] == "opening_balance"
    reversal = await api.reverse(line["transaction_id"], {"reason": "duplicate entry", "occurred_on": "2026-03-01"})
    assert reversal.status_code == 200, reversal.text
    assert await feed.named() == [BEN]
