"""The capital statement read on the read pool: the same movements, sums and name as the journal repository's
reads it replaced (value for value, so the same answer), lines that agree with the balances for every window,
and one snapshot for all of its reads."""

from __future__ import annotations

import uuid
from dataclasses import astuple
from datetime import date
from decimal import Decimal

import pytest
from habitat_common.read_pool import ReadPool
from habitat_common.settings import DatabaseSettings
from habitat_common.testing import temporary_database
from sqlalchemy import select, text

from habitat_ledger.adapters.journal_repository import ORDER, basis_sum
from habitat_ledger.adapters.orm import POSTINGS_WITH_ACCOUNTS, account, journal_transaction
from habitat_ledger.adapters.statement_reads import PooledStatementReads
from habitat_ledger.bootstrap import build
from habitat_ledger.config import LedgerSettings
from habitat_ledger.domain.commands import OpenPeriod
from habitat_ledger.domain.journal.statement import CapitalMovement
from habitat_ledger.domain.journal.transactions import AccountRef
from habitat_ledger.entrypoints.consumers import contribution_approved_handler
from habitat_ledger.service_layer.close.periods import open_period
from tests.ledger_api import ADMIN, Api
from tests.ledger_builders import approved, envelope
from tests.ledger_db import TransactionReads, alembic

ANA, BEA, CY = uuid.UUID(int=31), uuid.UUID(int=32), uuid.UUID(int=33)  # Bea has no replica, Cy no postings
Q1 = {"name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}
AS_OF = (date(2025, 12, 30), date(2025, 12, 31), date(2026, 2, 9), date(2026, 2, 20), date.max)
LAST = (None, 1, 2, 3, 4, 1000)


@pytest.fixture
async def booked(api: Api, uow_factory, connection) -> None:
    """Ana: an opening balance (book 1000.00, tax 800.00) reversed later, contributions (two on one day,
    property on book only); Bea: one contribution; Cy: nothing."""
    for member, name in ((ANA, "Ana"), (CY, "Cy")):
        await connection.execute(
            text("INSERT INTO ledger.member (id, email, display_name, status, updated_at)"
                 " VALUES (:id, :email, :name, 'active', now())"),
            {"id": member, "email": f"{name.lower()}@example.org", "name": name},
        )
    imported = await api.import_opening_balances(
        "member_email,book_balance,tax_balance,as_of,note\nana@example.org,1000.00,800.00,2025-12-31,\n"
    )
    assert imported.status_code == 200, imported.text
    period_id = uuid.UUID((await api.post("/periods", Q1)).json()["id"])
    handle = contribution_approved_handler(uow_factory)
    for member, day, kind, book, tax in (
        (ANA, 3, "capital", "100.00", None), (ANA, 9, "capital", "250.50", None), (BEA, 9, "capital", "55.55", None),
        (ANA, 9, "capital", "40.25", None), (ANA, 14, "property", "300.00", "0.00"), (ANA, 27, "capital", "7.00", None),
    ):
        await handle(envelope(approved(kind, book=book, tax=tax, member_id=member, period_id=period_id,
                                       contributed_on=date(2026, 2, day))))
    lines = (await api.get(f"/capital-accounts/{ANA}/statement")).json()["lines"]
    opening = next(line["transaction_id"] for line in lines if line["source_type"] == "opening_balance")
    reversal = await api.reverse(opening, {"reason": "entered twice", "occurred_on": "2026-02-20"})
    assert reversal.status_code == 200, reversal.text


async def reference_movements(session, member_id: uuid.UUID, as_of: date, last: int | None) -> list[CapitalMovement]:
    """The journal repository's SQLAlchemy query that the pooled read replaced, kept here as the reference."""
    t = journal_transaction.c
    query = (
        select(t.id, t.occurred_on, t.source_type, t.source_id, t.description, basis_sum("book"), basis_sum("tax"))
        .select_from(POSTINGS_WITH_ACCOUNTS)
        .where(account.c.kind == "member_capital", account.c.member_id == member_id, t.occurred_on <= as_of)
        .group_by(t.id)
    )
    if last is None:
        rows = (await session.execute(query.order_by(*ORDER))).all()
    else:
        rows = (await session.execute(query.order_by(*(c.desc() for c in ORDER)).limit(last))).all()[::-1]
    return [CapitalMovement(*row) for row in rows]


def exactly(movements: list[CapitalMovement]) -> list[tuple[str, ...]]:
    """Movements as their fields' text: a Decimal's places and a UUID's spelling count too."""
    return [tuple(str(value) for value in astuple(movement)) for movement in movements]


@pytest.mark.usefixtures("booked")
class TestThePooledReads:
    async def test_they_are_the_journal_repositorys_reads(self, uow_factory, connection):
        pooled = PooledStatementReads(TransactionReads(connection))
        for member in (ANA, BEA, CY):
            code = AccountRef.member_capital(member).code
            for as_of in AS_OF:
                uow = uow_factory()
                async with uow:
                    sums = await uow.journal.posting_sums(code, as_of)
                    replica = await uow.members.get(member)
                    repository = {last: await reference_movements(uow.session, member, as_of, last) for last in LAST}
                async with pooled.snapshot() as snapshot:
                    assert await snapshot.posting_sums(code, as_of) == sums
                    assert await snapshot.display_name(member) == (replica.display_name if replica else None)
                    for last in LAST:
                        movements = await snapshot.capital_movements(member, as_of, last)
                        assert exactly(movements) == exactly(repository[last]), (member, as_of, last)
                        assert movements == repository[last]
                        for movement in movements:
                            assert isinstance(movement.transaction_id, uuid.UUID)
                            assert isinstance(movement.source_id, uuid.UUID)
                            assert isinstance(movement.book_amount, Decimal)
                            assert isinstance(movement.tax_amount, Decimal)


def tail(statement: dict, count: int) -> dict:
    return {**statement, "lines": statement["lines"][-count:]}


@pytest.mark.usefixtures("booked")
class TestTheStatementsLinesAndBalances:
    async def test_every_window_is_the_tail_of_the_whole_statement(self, api: Api):
        for member in (ANA, BEA):
            url = f"/capital-accounts/{member}/statement"
            for as_of in (None, "2025-12-31", "2026-02-09", "2026-02-19", "2026-02-20"):
                dated = {"as_of": as_of} if as_of else {}
                whole = await api.get(url, params=dated)
                lines = whole.json()["lines"]
                book = tax = Decimal(0)
                for line in lines:
                    book, tax = book + Decimal(line["book_amount"]), tax + Decimal(line["tax_amount"])
                    assert (Decimal(line["book_balance"]), Decimal(line["tax_balance"])) == (book, tax)
                account = (await api.get(f"/capital-accounts/{member}", params=dated)).json()
                assert {k: whole.json()[k] for k in account} == account  # read by the unit of work
                assert (whole.json()["book_balance"], whole.json()["tax_balance"]) == (
                    (lines[-1]["book_balance"], lines[-1]["tax_balance"]) if lines else ("0.00", "0.00"))
                for last in (*range(1, len(lines) + 2), 1000):
                    latest = await api.get(url, params={**dated, "last": last})
                    assert latest.json() == tail(whole.json(), last), (member, as_of, last)
                assert (await api.get(url, params={**dated, "last": 1000})).content == whole.content

    async def test_ana_before_her_first_posting_has_no_lines_and_nothing(self, api: Api):
        url = f"/capital-accounts/{ANA}/statement"
        for last in (None, 1, 1000):
            params = {"as_of": "2025-12-30"} | ({"last": last} if last else {})
            statement = (await api.get(url, params=params)).json()
            assert statement == {
                "member_id": str(ANA), "display_name": "Ana", "as_of": "2025-12-30", "lines": [],
                "book_balance": "0.00", "tax_balance": "0.00",
            }

    async def test_a_member_without_postings_has_an_empty_statement_as_of_today(self, api: Api):
        today = (await api.get(f"/capital-accounts/{CY}")).json()["as_of"]
        for member, name in ((CY, "Cy"), (uuid.UUID(int=34), None)):
            for last in (None, 1, 1000):
                params = {"last": last} if last else {}
                statement = (await api.get(f"/capital-accounts/{member}/statement", params=params)).json()
                assert statement == {
                    "member_id": str(member), "display_name": name, "as_of": today, "lines": [],
                    "book_balance": "0.00", "tax_balance": "0.00",
                }

    async def test_the_names_and_the_window_limits(self, api: Api):
        url = f"/capital-accounts/{BEA}/statement"
        assert (await api.get(url)).json()["display_name"] is None
        assert (await api.get(f"/capital-accounts/{ANA}/statement")).json()["display_name"] == "Ana"
        assert [(await api.get(url, params={"last": last})).status_code for last in (0, 1001)] == [422, 422]


@pytest.fixture(scope="module")
def committing_url():
    with temporary_database("ledger_statement_reads") as url:
        alembic(url, ("upgrade", "head"))
        yield url


async def test_the_reads_share_one_snapshot(committing_url):
    """A booking committed between the lines and the sums shows in neither; the next statement has both."""
    ledger = build(LedgerSettings(database=DatabaseSettings(url=committing_url)))
    reads = ReadPool(DatabaseSettings(url=committing_url), service="ledger-test")
    try:
        member = uuid.uuid4()
        period = await open_period(OpenPeriod("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), ADMIN), ledger.uow())
        handle = contribution_approved_handler(ledger.uow)
        await handle(envelope(approved(book="100.00", member_id=member, period_id=period.id)))
        code = AccountRef.member_capital(member).code
        async with PooledStatementReads(reads).snapshot() as snapshot:
            [movement] = await snapshot.capital_movements(member, date.max, 5)
            await handle(envelope(approved(book="20.00", member_id=member, period_id=period.id)))
            sums = await snapshot.posting_sums(code, date.max)
        assert sum(sums.by_basis.values()) == -(movement.book_amount + movement.tax_amount) == Decimal("-200.00")
        async with PooledStatementReads(reads).snapshot() as snapshot:
            assert len(await snapshot.capital_movements(member, date.max, 5)) == 2
            assert sum((await snapshot.posting_sums(code, date.max)).by_basis.values()) == Decimal("-240.00")
    finally:
        await reads.close()
        await ledger.reads.close()
        await ledger.engine.dispose()
