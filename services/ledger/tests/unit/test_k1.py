"""K-1 rules on fakes: reversal lines, carried beginnings, omitted members, Item J, §704(c), tie refusals, CSV."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from habitat_ledger.domain.errors import (
    K1AlreadyIssued,
    K1DoesNotTie,
    K1PeriodsNotClosed,
    K1PreviousYearNotIssued,
    K1YearNotStarted,
)
from habitat_ledger.domain.exports.k1 import CapitalFigure, K1Figures, build_k1
from habitat_ledger.domain.exports.k1_issue import IssuedEnding
from habitat_ledger.domain.exports.k1_shares import AllocationFigure
from habitat_ledger.domain.journal.transactions import (
    AccountRef,
    Basis,
    JournalTransaction,
    Posting,
    SourceType,
)
from habitat_ledger.domain.periods.period import Period
from habitat_ledger.entrypoints.routes_k1 import k1_csv, k1_json
from habitat_ledger.service_layer.exports.exports import k1_data
from habitat_ledger.service_layer.exports.k1_issues import issue_k1
from tests.fakes import FakeUnitOfWork

ANA, BEN, CY = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)
ADMIN = uuid.uuid4()
NOW = datetime(2027, 2, 1, tzinfo=UTC)
D = Decimal

COUNTER = {
    SourceType.CONTRIBUTION: AccountRef.coop_cash(),
    SourceType.ALLOCATION: AccountRef.coop_surplus(),
    SourceType.DISTRIBUTION: AccountRef.coop_cash(),
    SourceType.OPENING_BALANCE: AccountRef.coop_opening_equity(),
}


async def post(uow: FakeUnitOfWork, source: SourceType, day: date, member: uuid.UUID, book: str, tax: str | None = None,
               counter: AccountRef | None = None) -> JournalTransaction:
    """One transaction crediting (positive) or debiting (negative) a member's capital on both bases."""
    capital = await uow.accounts.ensure(AccountRef.member_capital(member))
    other = await uow.accounts.ensure(counter or COUNTER[source])
    amounts = {Basis.BOOK: D(book), Basis.TAX: D(tax if tax is not None else book)}
    postings = [p for basis, amount in amounts.items()
                for p in (Posting(capital.id, basis, -amount), Posting(other.id, basis, amount))]
    transaction = JournalTransaction.record(source_type=source, source_id=uuid.uuid4(), occurred_on=day,
                                            description=f"{source} {book}", postings=postings, now=NOW,
                                            member_id=member)
    await uow.journal.add(transaction)
    return transaction


async def reverse(uow: FakeUnitOfWork, original: JournalTransaction, day: date) -> JournalTransaction:
    reversal = original.reversal(reason="mistake", occurred_on=day, by=ADMIN, now=NOW)
    await uow.journal.add(reversal)
    return reversal


def by_member(rows):
    return {row.member_id: row for row in rows}


class TestItemL:
    async def test_a_reversal_lands_on_the_line_of_what_it_reverses(self):
        uow = FakeUnitOfWork()
        contribution = await post(uow, SourceType.CONTRIBUTION, date(2025, 5, 1), ANA, "100.00")
        allocation = await post(uow, SourceType.ALLOCATION, date(2026, 3, 31), ANA, "40.00")
        distribution = await post(uow, SourceType.DISTRIBUTION, date(2026, 4, 2), ANA, "-30.00")
        for original in (contribution, allocation, distribution):
            await reverse(uow, original, date(2026, 6, 1))
        [row] = await k1_data(2026, uow)
        tax = row.tax
        assert (tax.beginning, tax.contributed, tax.income, tax.withdrawals, tax.other, tax.ending) == (
            D("100.00"), D("-100.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"),
        )
        assert tax.other_explanation == ""

    async def test_a_reversed_reversal_reinstates_its_line(self):
        uow = FakeUnitOfWork()
        contribution = await post(uow, SourceType.CONTRIBUTION, date(2026, 2, 1), ANA, "100.00")
        await reverse(uow, await reverse(uow, contribution, date(2026, 3, 1)), date(2026, 4, 1))
        [row] = await k1_data(2026, uow)
        assert (row.tax.contributed, row.tax.other, row.tax.ending) == (D("100.00"), D("0.00"), D("100.00"))

    async def test_opening_balances_before_the_year_are_beginning_capital_in_year_ones_are_other(self):
        uow = FakeUnitOfWork()
        await post(uow, SourceType.OPENING_BALANCE, date(2025, 12, 31), ANA, "80.00", "60.00")
        late = await post(uow, SourceType.OPENING_BALANCE, date(2026, 1, 15), BEN, "50.00")
        await reverse(uow, late, date(2026, 2, 1))
        await post(uow, SourceType.OPENING_BALANCE, date(2026, 2, 1), BEN, "-20.00")
        rows = by_member(await k1_data(2026, uow))
        assert (rows[ANA].tax.beginning, rows[ANA].book.beginning, rows[ANA].tax.other) == (D("60.00"), D("80.00"), 0)
        assert (rows[BEN].tax.beginning, rows[BEN].tax.other, rows[BEN].tax.ending) == (0, D("-20.00"), D("-20.00"))
        assert rows[BEN].tax.other_explanation == "opening balances -20.00"


class TestOmittedMembers:
    async def test_no_activity_and_zero_balances_is_omitted_activity_that_nets_to_zero_is_not(self):
        uow = FakeUnitOfWork()
        gone = await post(uow, SourceType.CONTRIBUTION, date(2025, 3, 1), ANA, "10.00")
        await reverse(uow, gone, date(2025, 4, 1))  # Ana: zero at both ends of 2026, nothing in 2026
        netted = await post(uow, SourceType.CONTRIBUTION, date(2026, 3, 1), BEN, "10.00")
        await reverse(uow, netted, date(2026, 4, 1))  # Ben: zero at both ends, but activity in 2026
        await post(uow, SourceType.CONTRIBUTION, date(2025, 3, 1), CY, "5.00")  # Cy: a balance, no activity
        assert set(by_member(await k1_data(2026, uow))) == {BEN, CY}


class TestItemJ:
    async def test_beginning_shares_are_last_years_a_loss_year_shares_by_its_allocation(self):
        uow = FakeUnitOfWork()
        for member, amount in ((ANA, "60.00"), (BEN, "40.00")):
            await post(uow, SourceType.CONTRIBUTION, date(2025, 1, 10), member, "100.00")
            await post(uow, SourceType.ALLOCATION, date(2025, 6, 30), member, amount)
        for member, amount in ((ANA, "-30.00"), (BEN, "-70.00")):
            await post(uow, SourceType.ALLOCATION, date(2026, 6, 30), member, amount)
        rows = by_member(await k1_data(2026, uow))
        ana, ben = rows[ANA].item_j, rows[BEN].item_j
        # 2025 allocated a profit only: its loss shares are the same patronage shares
        assert (ana.profit_beginning, ana.loss_beginning, ben.profit_beginning) == (D("60"), D("60"), D("40"))
        # 2026 allocated a loss only: a share of a loss is a positive percentage
        assert (ana.profit_ending, ana.loss_ending, ben.loss_ending) == (D("30"), D("30"), D("70"))
        # capital (tax): beginning 160 / 140 of 300; ending 130 / 70 of 200
        assert (ana.capital_beginning, ana.capital_ending) == (D("53.3333"), D("65.0000"))
        assert (ben.capital_beginning, ben.capital_ending) == (D("46.6667"), D("35.0000"))

    async def test_a_reversed_allocation_leaves_the_share_of_what_remains(self):
        uow = FakeUnitOfWork()
        first = await post(uow, SourceType.ALLOCATION, date(2026, 3, 31), ANA, "90.00")
        await post(uow, SourceType.ALLOCATION, date(2026, 3, 31), BEN, "10.00")
        await post(uow, SourceType.ALLOCATION, date(2026, 6, 30), ANA, "50.00")
        await post(uow, SourceType.ALLOCATION, date(2026, 6, 30), BEN, "50.00")
        await reverse(uow, first, date(2026, 4, 5))
        rows = by_member(await k1_data(2026, uow))
        assert (rows[ANA].item_j.profit_ending, rows[BEN].item_j.profit_ending) == (D("45.4545"), D("54.5455"))
        assert rows[ANA].tax.income == D("50.00")

    def test_a_negative_capital_account_has_a_negative_capital_share(self):
        figures = [CapitalFigure(ANA, b, "contribution", True, D("150.00")) for b in ("tax", "book")]
        figures += [CapitalFigure(BEN, b, "allocation", True, D("-50.00")) for b in ("tax", "book")]
        endings = {(ANA, "tax"): D("150.00"), (ANA, "book"): D("150.00"),
                   (BEN, "tax"): D("-50.00"), (BEN, "book"): D("-50.00")}
        data = K1Figures(figures, endings, capital_totals={"tax": D("100.00"), "book": D("100.00")},
                         allocations=[AllocationFigure(BEN, "tax", 2026, False, D("-50.00"))])
        rows = by_member(build_k1(2026, data, {}))
        assert (rows[ANA].item_j.capital_ending, rows[BEN].item_j.capital_ending) == (D("150.0000"), D("-50.0000"))
        assert (rows[BEN].item_j.loss_ending, rows[BEN].item_j.profit_ending) == (D("100.0000"), D("100.0000"))


class TestSection704c:
    async def test_built_in_gain_is_cumulative_and_reduced_by_a_reversal(self):
        uow = FakeUnitOfWork()
        prop = AccountRef.coop_property()
        old = await post(uow, SourceType.CONTRIBUTION, date(2025, 5, 1), ANA, "1000.00", "600.00", prop)
        await post(uow, SourceType.CONTRIBUTION, date(2026, 5, 1), ANA, "500.00", "300.00", prop)
        await post(uow, SourceType.CONTRIBUTION, date(2026, 5, 2), ANA, "70.00")  # cash: no built-in gain
        await reverse(uow, old, date(2026, 7, 1))
        [row] = await k1_data(2026, uow)
        assert (row.section_704c_gain_beginning, row.section_704c_gain_ending) == (D("400.00"), D("200.00"))
        assert (row.tax.contributed, row.book.contributed) == (D("-230.00"), D("-430.00"))
        data = k1_json(row)
        assert (data["section_704c_gain_beginning"], data["section_704c_gain_ending"]) == ("400.00", "200.00")


def tied(member=ANA, amount="10.00", **extra) -> K1Figures:
    figures = [CapitalFigure(member, b, "contribution", True, D(amount)) for b in ("tax", "book")]
    endings = {(member, b): D(amount) for b in ("tax", "book")}
    return K1Figures(figures, endings, capital_totals={"tax": D(amount), "book": D(amount)}, **extra)


class TestTieChecks:
    def test_a_row_that_does_not_tie_refuses_with_the_difference(self):
        data = tied()
        data.endings[(ANA, "tax")] = D("12.00")
        data.capital_totals["tax"] = D("12.00")
        with pytest.raises(K1DoesNotTie) as refused:
            build_k1(2026, data, {})
        assert refused.value.differences == [{
            "check": "item_l", "member_id": str(ANA), "basis": "tax",
            "expected": "12.00", "computed": "10.00", "difference": "-2.00",
        }]

    def test_endings_that_miss_ledger_capital_refuse_with_the_difference(self):
        data = tied()
        data.capital_totals["book"] = D("110.00")  # a member's capital the rows never saw
        with pytest.raises(K1DoesNotTie) as refused:
            build_k1(2026, data, {})
        assert refused.value.differences == [{
            "check": "capital_total", "member_id": None, "basis": "book",
            "expected": "110.00", "computed": "10.00", "difference": "-100.00",
        }]

    def test_a_beginning_unlike_the_issued_ending_refuses_with_the_difference(self):
        figures = [CapitalFigure(ANA, b, "contribution", False, D("10.00")) for b in ("tax", "book")]
        data = K1Figures(figures, {(ANA, "tax"): D("10.00"), (ANA, "book"): D("10.00")},
                         capital_totals={"tax": D("10.00"), "book": D("10.00")})
        previous = {ANA: IssuedEnding(ANA, tax=D("10.00"), book=D("15.00")), BEN: IssuedEnding(BEN, D("1.00"), D("0"))}
        with pytest.raises(K1DoesNotTie) as refused:
            build_k1(2026, data, {}, previous)
        assert [(d["check"], d["member_id"], d["basis"], d["difference"]) for d in refused.value.differences] == [
            ("beginning_carried_forward", str(ANA), "book", "-5.00"),
            ("beginning_carried_forward", str(BEN), "tax", "-1.00"),
        ]
        assert build_k1(2026, data, {}, {ANA: IssuedEnding(ANA, D("10.00"), D("10.00"))})


class TestIssuing:
    async def test_issuing_keeps_the_endings_and_the_next_year_begins_with_them(self):
        uow = FakeUnitOfWork()
        prop = AccountRef.coop_property()
        await post(uow, SourceType.CONTRIBUTION, date(2026, 5, 1), ANA, "1000.00", "600.00", prop)
        await post(uow, SourceType.DISTRIBUTION, date(2026, 9, 1), ANA, "-100.00")
        issue = await issue_k1(2026, ADMIN, uow, now=NOW)
        assert [(e.member_id, e.tax, e.book, e.section_704c_gain) for e in issue.endings] == [
            (ANA, D("500.00"), D("900.00"), D("400.00")),
        ]
        assert await uow.k1_issues.issued_years() == [2026]
        [row] = await k1_data(2027, uow)
        assert (row.tax.beginning, row.book.beginning, row.section_704c_gain_beginning) == (
            D("500.00"), D("900.00"), D("400.00"),
        )

    async def test_issuing_twice_answers_with_what_was_issued(self):
        uow = FakeUnitOfWork()
        await post(uow, SourceType.CONTRIBUTION, date(2026, 5, 1), ANA, "10.00")
        first = await issue_k1(2026, ADMIN, uow, now=NOW)
        with pytest.raises(K1AlreadyIssued) as refused:
            await issue_k1(2026, uuid.uuid4(), uow, now=NOW)
        assert refused.value.issued == first

    async def test_a_tampered_issued_ending_refuses_the_next_year(self):
        uow = FakeUnitOfWork()
        await post(uow, SourceType.CONTRIBUTION, date(2026, 5, 1), ANA, "10.00")
        await issue_k1(2026, ADMIN, uow, now=NOW)
        await uow.k1_issues.add_endings(2026, [IssuedEnding(ANA, D("10.00"), D("12.50"))])
        with pytest.raises(K1DoesNotTie) as refused:
            await k1_data(2027, uow)
        assert [(d["check"], d["basis"], d["difference"]) for d in refused.value.differences] == [
            ("beginning_carried_forward", "book", "-2.50"),
        ]

    async def test_an_issued_year_reports_the_endings_it_was_issued_with_or_refuses(self):
        uow = FakeUnitOfWork()
        await post(uow, SourceType.CONTRIBUTION, date(2026, 5, 1), ANA, "10.00")
        await issue_k1(2026, ADMIN, uow, now=NOW)
        assert [row.tax.ending for row in await k1_data(2026, uow)] == [D("10.00")]
        await post(uow, SourceType.CONTRIBUTION, date(2026, 6, 1), BEN, "3.00")  # past the lock, as a bug would
        with pytest.raises(K1DoesNotTie) as refused:
            await k1_data(2026, uow)
        assert {(d["check"], d["member_id"], d["difference"]) for d in refused.value.differences} == {
            ("ending_as_issued", str(BEN), "3.00"),
        }

    async def test_the_year_before_must_be_issued_when_this_ledger_kept_it(self):
        uow = FakeUnitOfWork()
        await post(uow, SourceType.OPENING_BALANCE, date(2025, 12, 31), ANA, "10.00")
        await post(uow, SourceType.CONTRIBUTION, date(2026, 5, 1), ANA, "10.00")
        with pytest.raises(K1PreviousYearNotIssued):
            await issue_k1(2027, ADMIN, uow, now=NOW)
        assert (await issue_k1(2026, ADMIN, uow, now=NOW)).year == 2026  # 2025 holds opening balances only

    async def test_a_year_is_issued_only_once_every_period_sharing_a_day_with_it_is_closed(self):
        uow = FakeUnitOfWork()
        await post(uow, SourceType.CONTRIBUTION, date(2026, 5, 1), ANA, "10.00")

        def period(name: str, starts: date, ends: date) -> Period:
            return Period.open(name=name, starts_on=starts, ends_on=ends, created_by=ADMIN, now=NOW)

        q2, q4, straddling = (period("2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
                              period("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
                              period("FY27", date(2026, 12, 31), date(2027, 6, 30)))
        next_year = period("2027-Q3", date(2027, 7, 1), date(2027, 9, 30))  # open, but not of 2026
        for each in (q2, q4, straddling, next_year):
            await uow.periods.add(each)
        q2.start_close(ADMIN, NOW)
        q2.close(NOW)
        q4.start_close(ADMIN, NOW)  # closing is not closed
        with pytest.raises(K1PeriodsNotClosed, match=r"2026-Q4 \(closing\), FY27 \(open\)"):
            await issue_k1(2026, ADMIN, uow, now=NOW)
        assert await uow.k1_issues.issued_years() == []
        for each in (q4, straddling):
            if each.status == "open":
                each.start_close(ADMIN, NOW)
            each.close(NOW)
        assert (await issue_k1(2026, ADMIN, uow, now=NOW)).year == 2026

    async def test_a_year_not_started_is_refused(self):
        with pytest.raises(K1YearNotStarted):
            await issue_k1(2028, ADMIN, FakeUnitOfWork(), today=date(2027, 12, 31))


class TestCsv:
    async def test_text_that_could_run_as_a_formula_is_escaped_amounts_stay_numbers(self):
        uow = FakeUnitOfWork()
        await post(uow, SourceType.OPENING_BALANCE, date(2026, 2, 1), ANA, "-50.00")
        rows = [replace(row, display_name="=HYPERLINK(\"http://evil\")") for row in await k1_data(2026, uow)]
        [line] = list(csv.DictReader(io.StringIO(k1_csv(rows))))
        assert line["display_name"] == "'=HYPERLINK(\"http://evil\")"
        assert (line["tax_other"], line["tax_ending"], line["tax_other_explanation"]) == (
            "-50.00", "-50.00", "opening balances -50.00",
        )
        assert list(line)[-2:] == ["section_704c_gain_beginning", "section_704c_gain_ending"]
        assert "loss_share_percent_beginning" in line and "profit_share_percent_ending" in line
