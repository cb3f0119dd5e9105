"""Documents in Chromium (issue 20): a member clicks "Download PDF" under their statement on the dashboard and
the file they get is a PDF whose text holds the statement's figures, the same as the API's JSON statement."""

from __future__ import annotations

import csv
import io

import pytest

from .browser import signed_in_member
from .conftest import Habitat, eventually

pytestmark = pytest.mark.e2e


class TestStatementDownload:
    def test_the_downloaded_pdf_holds_the_statements_figures(self, habitat: Habitat, browser) -> None:
        from pypdf import PdfReader

        page, member_id, token = signed_in_member(habitat, browser, accept_downloads=True)
        _, steward = habitat.active_member("steward")
        for day, amount in (("2026-02-02", "120.00"), ("2026-03-01", "35.50")):
            contribution = habitat.submit(
                token,
                {
                    "type": "capital",
                    "contributed_on": day,
                    "amount": amount,
                    "description": "Capital contribution by bank transfer",
                },
            )
            approved = habitat.call("POST", f"/contributions/{contribution['id']}/approve", steward, json={})
            assert approved.status_code == 200, approved.text
        eventually(lambda: habitat.capital(token, member_id) == ("155.50", "155.50"))
        statement = habitat.call("GET", f"/capital-accounts/{member_id}/statement", token).json()

        page.goto(habitat.url + "/dashboard")
        with page.expect_download() as download_info:
            page.click("#statement-downloads >> text=Download PDF")
        download = download_info.value
        assert download.suggested_filename.startswith(f"statement-{member_id}-2026-02-02-")
        reader = PdfReader(download.path())
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        assert "Capital account statement" in text and "Transactions: 2" in text
        for line in statement["lines"]:
            assert f"{line['date']} contribution" in text
            assert f"{line['book_amount']} {line['tax_amount']} {line['book_balance']} {line['tax_balance']}" in text
        assert f"Closing balance {statement['book_balance']} {statement['tax_balance']}" in text

        # the CSV beside it: marked UTF-8 for spreadsheets, its rows the same lines between the two balances
        with page.expect_download() as csv_download:
            page.click("#statement-downloads >> text=Download CSV")
        content = csv_download.value.path().read_bytes()
        assert content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        assert rows[0]["description"] == "Balance brought forward" and rows[-1]["description"] == "Balance carried forward"
        assert [(r["date"], r["book_amount"], r["book_balance"]) for r in rows[1:-1]] == [
            (line["date"], line["book_amount"], line["book_balance"]) for line in statement["lines"]
        ]
        assert (rows[-1]["book_balance"], rows[-1]["tax_balance"]) == (statement["book_balance"], statement["tax_balance"])
        page.context.close()
