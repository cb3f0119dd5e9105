"""A statement bounded to its latest lines (the member dashboard's) is the tail of the whole one."""

from __future__ import annotations

import uuid
from datetime import date

from habitat_ledger.entrypoints.consumers import contribution_approved_handler
from tests.ledger_builders import approved, envelope

ANA = uuid.UUID(int=7)
Q1 = {"name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}


class TestLatestLines:
    async def test_the_latest_lines_keep_the_balances_of_the_whole_statement(self, api, uow_factory):
        period_id = uuid.UUID((await api.post("/periods", Q1)).json()["id"])
        handle = contribution_approved_handler(uow_factory)
        for day, book in ((3, "100.00"), (9, "250.50"), (14, "40.25"), (20, "7.00"), (27, "600.00")):
            await handle(envelope(approved(book=book, member_id=ANA, period_id=period_id,
                                           contributed_on=date(2026, 2, day))))
        url = f"/capital-accounts/{ANA}/statement"

        whole = (await api.get(url)).json()
        latest = (await api.get(url, params={"last": 2})).json()
        dated = (await api.get(url, params={"last": 2, "as_of": "2026-02-15"})).json()

        assert [line["book_balance"] for line in whole["lines"]] == [
            "100.00", "350.50", "390.75", "397.75", "997.75"]
        assert latest["lines"] == whole["lines"][-2:]
        assert (latest["book_balance"], latest["tax_balance"]) == (whole["book_balance"], whole["tax_balance"])
        account = (await api.get(f"/capital-accounts/{ANA}")).json()  # the dashboard takes it from the statement
        assert {k: latest[k] for k in ("member_id", "book_balance", "tax_balance", "as_of")} == account
        assert [line["book_balance"] for line in dated["lines"]] == ["350.50", "390.75"]
        assert (await api.get(url, params={"last": 10})).json()["lines"] == whole["lines"]
        assert (await api.get(url, params={"last": 0})).status_code == 422
