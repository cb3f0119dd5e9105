"""K-1 through the ledger's HTTP API on PostgreSQL: lines of reversals, Item J, §704(c), issuing and carrying."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from habitat_common.contracts import Envelope, MemberRegisteredV1
from sqlalchemy import text

from habitat_ledger.domain.journal.transactions import (
    AccountRef,
    Basis,
    JournalTransaction,
    Posting,
    SourceType,
)
from habitat_ledger.entrypoints.consumers import contribution_approved_handler, member_handler
from tests.ledger_api import ADMIN
from tests.ledger_builders import approved, envelope

ANA, BEN = uuid.UUID(int=21), uuid.UUID(int=22)
Q1_2026 = {"name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}
Q4_2025 = {"name": "2025-Q4", "starts_on": "2025-10-01", "ends_on": "2025-12-31"}
COUNTER = {
    SourceType.CONTRIBUTION: AccountRef.coop_cash(),
    SourceType.ALLOCATION: AccountRef.coop_surplus(),
    SourceType.DISTRIBUTION: AccountRef.coop_cash(),
}


async def register(uow_factory, member: uuid.UUID, name: str) -> None:
    contract = MemberRegisteredV1(member_id=member, email=f"{member.int}@x.org", display_name=name,
                                  role="member", status="active", joined_at="2020-01-01")
    raw = Envelope.wrap(contract, producer="test")
    await member_handler(uow_factory, "ledger.member_registered")(
        Envelope[MemberRegisteredV1].model_validate_json(raw.model_dump_json())
    )


async def book(api, uow_factory, period: dict, *contracts) -> None:
    period_id = uuid.UUID((await api.post("/periods", period)).json()["id"])
    handle = contribution_approved_handler(uow_factory)
    for contract in contracts:
        assert await handle(envelope(contract.model_copy(update={"period_id": period_id}))) is True


async def post(uow_factory, source: SourceType, day: date, member: uuid.UUID, book: str, tax: str | None = None,
               counter: AccountRef | None = None) -> JournalTransaction:
    """A transaction written straight to the journal, as an older release (or a workflow) would have."""
    async with uow_factory() as uow:
        capital = await uow.accounts.ensure(AccountRef.member_capital(member))
        other = await uow.accounts.ensure(counter or COUNTER[source])
        amounts = {Basis.BOOK: Decimal(book), Basis.TAX: Decimal(tax or book)}
        postings = [p for basis, amount in amounts.items()
                    for p in (Posting(capital.id, basis, -amount), Posting(other.id, basis, amount))]
        transaction = JournalTransaction.record(
            source_type=source, source_id=uuid.uuid4(), occurred_on=day, description=f"{source} {book}",
            postings=postings, now=datetime.now(UTC), member_id=member,
        )
        await uow.journal.add(transaction)
        await uow.commit()
    return transaction


async def reverse(uow_factory, original: JournalTransaction, day: date) -> JournalTransaction:
    async with uow_factory() as uow:
        reversal = original.reversal(reason="mistake", occurred_on=day, by=ADMIN, now=datetime.now(UTC))
        await uow.journal.add(reversal)
        await uow.commit()
    return reversal


async def close_periods(uow_factory) -> None:
    """Every period closed, as its posted close would leave it: a year is issued once its periods are."""
    async with uow_factory() as uow:
        for period in await uow.periods.list():
            if period.status == "open":
                period.start_close(ADMIN, datetime.now(UTC))
            if period.status == "closing":
                period.close(datetime.now(UTC))
        await uow.commit()


async def k1(api, year: int) -> dict[str, dict]:
    response = await api.get("/exports/k1", params={"year": year})
    assert response.status_code == 200, response.text
    return {row["member_id"]: row for row in response.json()["rows"]}


class TestFiguresInSql:
    async def test_reversals_land_on_their_originals_line_and_704c_is_cumulative(self, api, uow_factory):
        prop = AccountRef.coop_property()
        cash = await post(uow_factory, SourceType.CONTRIBUTION, date(2026, 2, 10), ANA, "500.00")
        await reverse(uow_factory, await reverse(uow_factory, cash, date(2026, 3, 1)), date(2026, 3, 2))
        old = await post(uow_factory, SourceType.CONTRIBUTION, date(2025, 5, 1), ANA, "1000.00", "600.00", prop)
        await post(uow_factory, SourceType.CONTRIBUTION, date(2026, 5, 1), ANA, "300.00", "100.00", prop)
        await reverse(uow_factory, old, date(2026, 7, 1))
        paid = await post(uow_factory, SourceType.DISTRIBUTION, date(2026, 8, 1), ANA, "-50.00")
        await reverse(uow_factory, paid, date(2026, 8, 2))
        row = (await k1(api, 2026))[str(ANA)]
        assert row["item_l_tax"] == {
            "beginning": "600.00", "contributed": "0.00", "income": "0.00", "other": "0.00",
            "other_explanation": "", "withdrawals": "0.00", "ending": "600.00",
        }
        assert (row["book_704b"]["beginning"], row["book_704b"]["contributed"]) == ("1000.00", "-200.00")
        assert (row["section_704c_gain_beginning"], row["section_704c_gain_ending"]) == ("400.00", "200.00")

    async def test_item_j_profit_and_loss_shares_from_the_allocations(self, api, uow_factory):
        for member, amount in ((ANA, "60.00"), (BEN, "40.00")):
            await post(uow_factory, SourceType.CONTRIBUTION, date(2025, 1, 10), member, "100.00")
            await post(uow_factory, SourceType.ALLOCATION, date(2025, 6, 30), member, amount)
        wrong = await post(uow_factory, SourceType.ALLOCATION, date(2026, 3, 31), ANA, "-100.00")
        await reverse(uow_factory, wrong, date(2026, 4, 1))
        for member, amount in ((ANA, "-30.00"), (BEN, "-70.00")):
            await post(uow_factory, SourceType.ALLOCATION, date(2026, 6, 30), member, amount)
        rows = await k1(api, 2026)
        assert rows[str(ANA)]["item_j"] == {
            "profit_share_percent_beginning": "60.0000", "profit_share_percent_ending": "30.0000",
            "loss_share_percent_beginning": "60.0000", "loss_share_percent_ending": "30.0000",
            "capital_percent_beginning": "53.3333", "capital_percent_ending": "65.0000",
        }
        assert rows[str(BEN)]["item_j"]["loss_share_percent_ending"] == "70.0000"
        assert rows[str(ANA)]["item_l_tax"]["income"] == "-30.00"

    async def test_members_with_nothing_to_report_are_omitted(self, api, uow_factory):
        gone = await post(uow_factory, SourceType.CONTRIBUTION, date(2025, 3, 1), ANA, "10.00")
        await reverse(uow_factory, gone, date(2025, 4, 1))
        await post(uow_factory, SourceType.CONTRIBUTION, date(2026, 3, 1), BEN, "10.00")
        assert set(await k1(api, 2026)) == {str(BEN)}

    async def test_the_csv_is_safe_in_a_spreadsheet(self, api, uow_factory):
        await register(uow_factory, ANA, "=HYPERLINK(\"http://x\",\"Ana\")")
        await post(uow_factory, SourceType.DISTRIBUTION, date(2026, 8, 1), ANA, "-50.00")
        response = await api.get("/exports/k1", params={"year": 2026, "format": "csv"})
        [line] = list(csv.DictReader(io.StringIO(response.text)))
        assert line["display_name"] == "'=HYPERLINK(\"http://x\",\"Ana\")"
        assert (line["tax_withdrawals"], line["tax_ending"]) == ("50.00", "-50.00")


@pytest.fixture
async def year_2026(api, uow_factory) -> None:
    """2026-Q1: Ana cash 500; Ben property FMV 2000, basis 1200."""
    await register(uow_factory, ANA, "Ana")
    await register(uow_factory, BEN, "Ben")
    await book(api, uow_factory, Q1_2026, approved("capital", book="500.00", member_id=ANA),
               approved("property", book="2000.00", tax="1200.00", member_id=BEN))


class TestIssuing:
    async def test_a_year_with_a_period_not_yet_closed_is_not_issued(self, api, year_2026, uow_factory, connection):
        refused = await api.post("/exports/k1/2026/issue")
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "k1_periods_not_closed"
        assert "2026-Q1 (open)" in refused.json()["error"]["message"]
        assert await connection.scalar(text("SELECT count(*) FROM ledger.k1_issue")) == 0
        await close_periods(uow_factory)
        assert (await api.post("/exports/k1/2026/issue")).status_code == 201

    async def test_the_next_year_begins_with_the_issued_endings(self, api, year_2026, uow_factory):
        await close_periods(uow_factory)
        response = await api.post("/exports/k1/2026/issue")
        assert response.status_code == 201, response.text
        issued = response.json()
        assert (issued["year"], issued["issued_by"], issued["members"]) == (2026, str(ADMIN), 2)
        assert sorted((e["member_id"], e["tax_ending"], e["book_ending"], e["section_704c_gain_ending"])
                      for e in issued["endings"]) == [
            (str(ANA), "500.00", "500.00", "0.00"), (str(BEN), "1200.00", "2000.00", "800.00"),
        ]
        this_year, next_year = await k1(api, 2026), await k1(api, 2027)
        for member in (str(ANA), str(BEN)):
            for basis in ("item_l_tax", "book_704b"):
                assert next_year[member][basis]["beginning"] == this_year[member][basis]["ending"]
        assert next_year[str(BEN)]["section_704c_gain_beginning"] == "800.00"

    async def test_issuing_twice_is_409_with_what_was_issued(self, api, year_2026, connection, uow_factory):
        await close_periods(uow_factory)
        first = (await api.post("/exports/k1/2026/issue")).json()
        again = await api.post("/exports/k1/2026/issue", who=uuid.uuid4())
        assert again.status_code == 409
        error = again.json()["error"]
        assert (error["code"], error["issued"]) == ("k1_already_issued", first)
        assert await connection.scalar(text("SELECT count(*) FROM ledger.k1_issue_ending")) == 2

    async def test_a_tampered_ending_refuses_the_next_year_with_the_difference(self, api, year_2026, connection,
                                                                               uow_factory):
        await close_periods(uow_factory)
        await api.post("/exports/k1/2026/issue")
        await connection.execute(
            text("UPDATE ledger.k1_issue_ending SET book_ending = book_ending + 5 WHERE member_id = :m"), {"m": ANA}
        )
        response = await api.get("/exports/k1", params={"year": 2027})
        assert response.status_code == 409
        error = response.json()["error"]
        assert error["code"] == "k1_does_not_tie"
        assert error["differences"] == [{
            "check": "beginning_carried_forward", "member_id": str(ANA), "basis": "book",
            "expected": "505.00", "computed": "500.00", "difference": "-5.00",
        }]
        issued_year = (await api.get("/exports/k1", params={"year": 2026})).json()["error"]
        assert [(d["check"], d["basis"], d["difference"]) for d in issued_year["differences"]] == [
            ("ending_as_issued", "book", "-5.00"),
        ]

    async def test_the_year_before_is_issued_first_when_this_ledger_kept_it(self, api, year_2026, uow_factory,
                                                                             connection):
        await book(api, uow_factory, Q4_2025,
                   approved("capital", book="70.00", member_id=ANA, contributed_on=date(2025, 11, 1)))
        await close_periods(uow_factory)
        refused = await api.post("/exports/k1/2026/issue")
        assert (refused.status_code, refused.json()["error"]["code"]) == (409, "k1_previous_year_not_issued")
        assert await connection.scalar(text("SELECT count(*) FROM ledger.k1_issue")) == 0
        assert (await api.post("/exports/k1/2025/issue")).status_code == 201
        assert (await api.post("/exports/k1/2026/issue")).status_code == 201
        assert (await k1(api, 2026))[str(ANA)]["item_l_tax"]["beginning"] == "70.00"

    async def test_only_admins_issue_and_not_a_year_to_come(self, api, year_2026):
        assert (await api.post("/exports/k1/2026/issue", role="steward")).status_code == 403
        future = await api.post(f"/exports/k1/{date.today().year + 2}/issue")
        assert (future.status_code, future.json()["error"]["code"]) == (422, "k1_year_not_started")
