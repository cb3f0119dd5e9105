"""A member's statement for a date range: balances brought and carried forward, the lines inside."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from decimal import Decimal

import pytest

from habitat_ledger.domain.errors import InvalidStatementRange
from habitat_ledger.domain.journal.statement import CapitalMovement
from habitat_ledger.domain.journal.statement_range import statement_for_range
from habitat_ledger.entrypoints.routes_documents import statement_csv
from habitat_ledger.service_layer.exports.documents import MemberStatement, board_report, member_statement
from habitat_ledger.service_layer.exports.statements import capital_statement
from habitat_ledger.service_layer.journal.contributions import book_contribution
from tests.fakes import FakeStatementReads, FakeUnitOfWork
from tests.ledger_builders import DEFAULT_PERIOD_ID, book_command

TODAY = date(2026, 3, 31)


def movement(day: int, book: str, tax: str | None = None, description: str = "Capital contribution"):
    return CapitalMovement(
        uuid.uuid4(),
        date(2026, 2, day),
        "contribution",
        uuid.uuid4(),
        description,
        Decimal(book),
        Decimal(tax or book),
    )


async def booked(*days_and_amounts: tuple[int, str]) -> tuple[FakeUnitOfWork, uuid.UUID]:
    uow, member = FakeUnitOfWork().with_period(), uuid.uuid4()
    for day, book in days_and_amounts:
        await book_contribution(
            book_command(book=book, member_id=member, contributed_on=date(2026, 2, day)), uow
        )
    return uow, member


class TestStatementForRange:
    def test_opening_is_what_came_before_and_closing_adds_the_lines(self):
        moves = [movement(3, "100.00", "80.00"), movement(10, "25.50"), movement(20, "4.50")]
        statement = statement_for_range(moves, date(2026, 2, 5), date(2026, 2, 15))
        assert (statement.opening_book, statement.opening_tax) == (Decimal("100.00"), Decimal("80.00"))
        assert [line.book_balance for line in statement.lines] == [Decimal("125.50")]
        assert (statement.closing_book, statement.closing_tax) == (Decimal("125.50"), Decimal("105.50"))

    def test_a_range_without_transactions_has_no_lines_and_keeps_the_balance(self):
        statement = statement_for_range([movement(3, "100.00")], date(2026, 2, 4), date(2026, 2, 9))
        assert statement.lines == []
        assert statement.opening_book == statement.closing_book == Decimal("100.00")

    def test_a_range_before_the_first_transaction_is_all_zero(self):
        statement = statement_for_range([movement(3, "100.00")], date(2025, 1, 1), date(2026, 2, 2))
        assert (statement.lines, statement.opening_book, statement.closing_tax) == (
            [],
            Decimal(0),
            Decimal(0),
        )

    def test_one_day_holds_that_days_transactions(self):
        moves = [movement(2, "1.00"), movement(3, "10.00"), movement(3, "20.00"), movement(4, "300.00")]
        statement = statement_for_range(moves, date(2026, 2, 3), date(2026, 2, 3))
        assert [line.movement.book_amount for line in statement.lines] == [Decimal("10.00"), Decimal("20.00")]
        assert (statement.opening_book, statement.closing_book) == (Decimal("1.00"), Decimal("31.00"))

    def test_an_end_before_the_start_is_refused(self):
        with pytest.raises(InvalidStatementRange, match="after its end"):
            statement_for_range([], date(2026, 2, 10), date(2026, 2, 9))

    def test_more_than_a_century_is_refused(self):
        with pytest.raises(InvalidStatementRange, match="100 years"):
            statement_for_range([], date(1920, 1, 1), date(2026, 1, 1))


class TestMemberStatement:
    async def test_its_balances_are_the_json_statements_as_of_its_end(self):
        uow, member = await booked((3, "100.00"), (9, "250.50"), (14, "40.25"), (27, "600.00"))
        document = await member_statement(
            member, FakeStatementReads(uow), starts_on=date(2026, 2, 5), ends_on=date(2026, 2, 20), today=TODAY
        )
        whole = await capital_statement(member, FakeStatementReads(uow), as_of=date(2026, 2, 20))
        before = await capital_statement(member, FakeStatementReads(uow), as_of=date(2026, 2, 4))
        s = document.statement
        assert (s.closing_book, s.closing_tax) == (whole.book_balance, whole.tax_balance)
        assert (s.opening_book, s.opening_tax) == (before.book_balance, before.tax_balance)
        assert s.lines == whole.lines[1:]

    async def test_without_dates_it_runs_from_the_first_transaction_to_today(self):
        uow, member = await booked((9, "250.50"), (14, "40.25"))
        s = (await member_statement(member, FakeStatementReads(uow), starts_on=None, ends_on=None, today=TODAY)).statement
        assert (s.starts_on, s.ends_on, len(s.lines), s.closing_book) == (
            date(2026, 2, 9),
            TODAY,
            2,
            Decimal("290.75"),
        )

    async def test_a_member_without_transactions_gets_an_empty_statement(self):
        s = (
            await member_statement(
                uuid.uuid4(), FakeStatementReads(FakeUnitOfWork()), starts_on=None, ends_on=None, today=TODAY
            )
        ).statement
        assert (s.starts_on, s.lines, s.closing_book) == (TODAY, [], Decimal(0))

    async def test_an_end_before_the_start_is_refused_before_reading(self):
        with pytest.raises(InvalidStatementRange):
            await member_statement(
                uuid.uuid4(), object(), starts_on=TODAY, ends_on=date(2026, 1, 1), today=TODAY
            )


class TestStatementCsv:
    def test_text_that_could_be_a_formula_is_quoted_and_amounts_stay_numbers(self):
        moves = [movement(3, "-100.00", description='=HYPERLINK("http://x")')]
        document = MemberStatement(uuid.uuid4(), "Ana", statement_for_range(moves, date(2026, 2, 1), TODAY))
        rows = list(csv.reader(io.StringIO(statement_csv(document))))
        assert rows[2][4:6] == ['\'=HYPERLINK("http://x")', "-100.00"]
        assert [row[4] for row in (rows[1], rows[-1])] == [
            "Balance brought forward",
            "Balance carried forward",
        ]


class TestBoardReport:
    async def test_intake_by_type_and_capital_at_the_periods_end(self):
        uow, ana = await booked((3, "100.00"), (9, "250.50"))
        ben = uuid.uuid4()
        await book_contribution(book_command(type="labor", value="80.00", member_id=ben), uow)
        await book_contribution(
            book_command(book="40.00", member_id=ben, contributed_on=date(2026, 4, 2)), uow
        )
        report = await board_report(DEFAULT_PERIOD_ID, uow)
        assert [(i.type, i.count, i.value, i.members) for i in report.intake] == [
            ("capital", 3, Decimal("390.50"), 2),  # the period's patronage, whatever the dates
            ("labor", 1, Decimal("80.00"), 1),
        ]
        # Ben's capital is dated after the period's end; the allocation is not proposed yet
        assert [(c.member_id, c.book, c.tax) for c in report.capital] == [
            (ana, Decimal("350.50"), Decimal("350.50"))
        ]
        assert (report.allocation, report.capital_book) == (None, Decimal("350.50"))
