"""Documents through the ledger's HTTP API on PostgreSQL: the statement as CSV and PDF, the allocation
statement and the board report as PDF, each checked against the JSON answers."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from habitat_common.contracts import MemberUpdatedV1
from pypdf import PdfReader

from habitat_ledger.domain.journal.transactions import (
    AccountRef,
    Basis,
    JournalTransaction,
    Posting,
    SourceType,
)
from habitat_ledger.entrypoints.consumers import MEMBER_UPDATED, member_handler
from habitat_ledger.entrypoints.routes_documents import CSV_COLUMNS
from tests.integration import test_close_http
from tests.integration.test_close_http import ANA, BEN, approved_allocation, wrap

TO = "2026-03-31"
period = test_close_http.period  # the fixture: Q1 with Ana (labor 1000, capital 500) and Ben (property 2000)


def pdf_text(response) -> str:
    assert response.headers["content-type"] == "application/pdf", response.text
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    pages = PdfReader(io.BytesIO(response.content)).pages
    return " ".join(
        " ".join(page.extract_text() for page in pages).split()
    )  # cells and wrapped lines: one space


async def post_formula(
    uow_factory, member: uuid.UUID, day: date, description: str = '=HYPERLINK("http://evil.example","click")'
) -> None:
    """A capital transaction whose description (by default) would run as a formula in a spreadsheet."""
    async with uow_factory() as uow:
        capital = await uow.accounts.ensure(AccountRef.member_capital(member))
        cash = await uow.accounts.ensure(AccountRef.coop_cash())
        postings = [
            p
            for basis in Basis
            for p in (Posting(capital.id, basis, Decimal("-7.25")), Posting(cash.id, basis, Decimal("7.25")))
        ]
        await uow.journal.add(
            JournalTransaction.record(
                source_type=SourceType.CONTRIBUTION,
                source_id=uuid.uuid4(),
                occurred_on=day,
                description=description,
                postings=postings,
                now=datetime.now(UTC),
                member_id=member,
            )
        )
        await uow.commit()


async def rename(uow_factory, member: uuid.UUID, name: str) -> None:
    """identity's announcement of a new display name, as the ledger's consumer takes it."""
    update = MemberUpdatedV1(member_id=member, email="renamed@x.org", display_name=name, role="member",
                             status="active", joined_at="2026-01-01")  # fmt: skip
    assert await member_handler(uow_factory, MEMBER_UPDATED)(wrap(update)) is True


async def ana_statement_as_of_to(api) -> dict:
    return (await api.get(f"/capital-accounts/{ANA}/statement", ANA, "member", params={"as_of": TO})).json()


class TestStatementCsv:
    async def test_rows_are_the_json_statements_lines_between_the_balances(self, api, period, uow_factory):
        await post_formula(uow_factory, ANA, date(2026, 3, 1))
        json_statement = await ana_statement_as_of_to(api)
        response = await api.get(
            f"/capital-accounts/{ANA}/statement.csv", ANA, "member", params={"from": "2026-01-01", "to": TO}
        )
        assert response.headers["content-type"].startswith("text/csv")
        assert f"statement-{ANA}-2026-01-01-{TO}.csv" in response.headers["content-disposition"]
        header, opening, *lines, closing = list(csv.reader(io.StringIO(response.text)))
        assert header == CSV_COLUMNS
        assert opening == ["2026-01-01", "", "", "", "Balance brought forward", "", "", "0.00", "0.00"]
        expected = [[line[k] for k in CSV_COLUMNS] for line in json_statement["lines"]]  # the JSON's names
        expected[-1][4] = "'" + expected[-1][4]  # the formula is written as text
        assert lines == expected
        assert lines[-1][4] == '\'=HYPERLINK("http://evil.example","click")'
        assert (
            closing[-2:]
            == [json_statement["book_balance"], json_statement["tax_balance"]]
            == ["507.25", "507.25"]
        )

    async def test_a_range_after_the_history_carries_the_balance_with_no_lines(self, api, period):
        response = await api.get(
            f"/capital-accounts/{ANA}/statement.csv",
            ANA,
            "member",
            params={"from": "2026-04-01", "to": "2026-04-30"},
        )
        rows = list(csv.reader(io.StringIO(response.text)))
        assert [row[4] for row in rows[1:]] == ["Balance brought forward", "Balance carried forward"]
        assert rows[1][-2:] == rows[2][-2:] == ["500.00", "500.00"]

    async def test_another_members_statement_does_not_exist(self, api, period):
        response = await api.get(f"/capital-accounts/{BEN}/statement.csv", ANA, "member")
        assert (response.status_code, response.json()["error"]["code"]) == (404, "capital_account_not_found")
        assert (await api.get(f"/capital-accounts/{BEN}/statement.csv", role="steward")).status_code == 200

    async def test_dates_out_of_order_or_malformed_are_refused_with_a_sentence(self, api, period):
        url = f"/capital-accounts/{ANA}/statement.pdf"
        backwards = await api.get(url, params={"from": "2026-03-01", "to": "2026-02-01"})
        assert (backwards.status_code, backwards.json()["error"]) == (
            422,
            {
                "code": "invalid_statement_range",
                "message": "The statement's start (2026-03-01) is after its end (2026-02-01).",
            },
        )
        malformed = await api.get(url, params={"from": "01/03/2026"})
        assert (malformed.status_code, malformed.json()["error"]["code"]) == (422, "invalid_date")


class TestStatementPdf:
    async def test_the_pdf_shows_the_json_statements_figures(self, api, period, uow_factory):
        await post_formula(uow_factory, ANA, date(2026, 2, 20))
        json_statement = await ana_statement_as_of_to(api)
        text = pdf_text(
            await api.get(
                f"/capital-accounts/{ANA}/statement.pdf",
                ANA,
                "member",
                params={"from": "2026-01-01", "to": TO},
            )
        )
        assert "Capital account statement" in text and f"Period: 2026-01-01 to {TO}" in text
        assert f"Transactions: {len(json_statement['lines'])}" in text
        for line in json_statement["lines"]:
            assert (
                " ".join((line["book_amount"], line["tax_amount"], line["book_balance"], line["tax_balance"]))
                in text
            )
        assert f"Closing balance {json_statement['book_balance']} {json_statement['tax_balance']}" in text


    async def test_letters_beyond_latin_1_keep_their_shape(self, api, period, uow_factory):
        """Set in an embedded DejaVu Sans, Chinese and Japanese in Droid Sans Fallback, Korean in Nanum Gothic: PDF's
        own Helvetica would draw Ł, ő, Greek, Cyrillic, 山田 and 김 as boxes."""
        words = "Łódź shift: Zoë, Őrs, Ωμέγα, Дмитрий, 山田太郎, 김민준"
        await post_formula(uow_factory, ANA, date(2026, 2, 21), description=words)
        await rename(uow_factory, ANA, "Łucja Ørsted-Żak")
        response = await api.get(f"/capital-accounts/{ANA}/statement.pdf", ANA, "member", params={"to": TO})
        text = pdf_text(response)
        assert words in text and "Member: Łucja Ørsted-Żak" in text
        fonts = {
            str(font.get_object()["/BaseFont"])
            for page in PdfReader(io.BytesIO(response.content)).pages
            for font in page["/Resources"]["/Font"].values()
        }
        # embedded subsets (reportlab's canvas also names Helvetica as its starting font, unused by the text)
        faces = {font.split("+")[-1] for font in fonts}
        assert faces >= {"DejaVuSans", "DejaVuSans-Bold", "DroidSansFallback", "NanumGothic"}, faces


class TestAllocationStatementPdf:
    async def test_the_pdf_holds_the_members_amounts_and_sentences(self, api, period, uow_factory):
        allocation_id = await approved_allocation(api, uow_factory, period)
        statement = (await api.get(f"/allocations/{allocation_id}/statement/{ANA}", ANA, "member")).json()
        text = pdf_text(await api.get(f"/allocations/{allocation_id}/statement/{ANA}.pdf", ANA, "member"))
        assert "Allocation statement: 2026-Q1" in text and "Ana Ruiz" in text
        for label, key in (
            ("Allocation (book)", "allocation"),
            ("Paid in cash", "cash_portion_amount"),
            ("Retained in capital", "retained_amount"),
        ):
            assert f"{label} {statement[key]}" in text
        assert all(" ".join(sentence.split()) in text for sentence in statement["lines"])

    async def test_another_members_allocation_statement_does_not_exist(self, api, period, uow_factory):
        allocation_id = await approved_allocation(api, uow_factory, period)
        response = await api.get(f"/allocations/{allocation_id}/statement/{BEN}.pdf", ANA, "member")
        assert (response.status_code, response.json()["error"]["code"]) == (404, "allocation_not_found")


class TestBoardReportPdf:
    async def test_intake_allocation_and_capital_by_member(self, api, period, uow_factory):
        allocation_id = await approved_allocation(api, uow_factory, period)
        rows = {
            row["member_id"]: row for row in (await api.get(f"/allocations/{allocation_id}")).json()["rows"]
        }
        text = pdf_text(await api.get(f"/periods/{period}/report.pdf", role="steward"))
        assert "Board report: 2026-Q1" in text
        for intake in ("capital 1 1 500.00", "labor 1 1 1000.00", "property 1 1 2000.00"):
            assert intake in text
        for member, name in ((ANA, "Ana Ruiz"), (BEN, "Ben Ode")):
            row = rows[str(member)]
            assert f"{name} {row['share']} {row['allocation']} {row['tax_allocation']}" in text
        assert "Ana Ruiz 500.00 500.00" in text and "Ben Ode 2000.00 1200.00" in text
        assert "Total 2500.00 1700.00" in text

    async def test_members_may_not_read_it(self, api, period):
        response = await api.get(f"/periods/{period}/report.pdf", ANA, "member")
        assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden")
        assert (await api.get(f"/periods/{uuid.uuid4()}/report.pdf")).status_code == 404
