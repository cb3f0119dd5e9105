"""POST /imports/capital-accounts: opening balances from CSV, validated in passes, all or nothing, re-runnable."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from tests.ledger_api import ADMIN

ANA, BEN = uuid.UUID(int=11), uuid.UUID(int=12)
HEADER = "member_email,book_balance,tax_balance,as_of,note\n"
GOOD = HEADER + "ana@example.org,1500.00,1200.00,2025-12-31,carried from the spreadsheet\nBen@Example.org,-20.50,0,2025-12-31,\n"


class Approved:
    """An import's answer once a second admin approved it: the report with the import's id."""

    def __init__(self, requested, approved) -> None:
        self.status_code, self.text = 200, approved.text
        self.body = {**requested.json(), "import_id": approved.json()["result_id"], "money_move": approved.json()}

    def json(self) -> dict:
        return self.body


async def upload(
    api, body: str | bytes, *, dry_run: bool = False, role: str = "admin", chunk: int | None = None, approve: bool = True
):
    """The import, approved by a second admin when it waits for one (unless approve=False)."""
    response = await request_import(api, body, dry_run=dry_run, role=role, chunk=chunk)
    if response.status_code != 202 or not approve:
        return response
    approved = await api.second_admin_approves(response)
    assert approved.status_code == 200, approved.text
    return Approved(response, approved)


async def request_import(api, body: str | bytes, *, dry_run: bool, role: str, chunk: int | None):
    data = body.encode() if isinstance(body, str) else body

    async def chunks():
        for start in range(0, len(data), chunk or len(data) or 1):
            yield data[start : start + (chunk or len(data) or 1)]

    return await api.client.post(
        "/imports/capital-accounts", params={"dry_run": str(dry_run).lower()},
        content=chunks() if chunk else data, headers={**api.auth(ADMIN, role), "Content-Type": "text/csv"},
    )


async def count(connection, query: str) -> int:
    return await connection.scalar(text(query))


@pytest.fixture(autouse=True)
async def members(connection):
    for member_id, email, name in ((ANA, "Ana@example.org", "Ana"), (BEN, "ben@example.org", "Ben")):
        await connection.execute(
            text("INSERT INTO ledger.member VALUES (:id, :email, :name, 'active', now())"),
            {"id": member_id, "email": email, "name": name},
        )


async def statement(api, member_id: uuid.UUID) -> list[tuple]:
    lines = (await api.get(f"/capital-accounts/{member_id}/statement")).json()["lines"]
    return [(l["source_type"], l["date"], l["book_amount"], l["tax_amount"], l["book_balance"], l["tax_balance"])
            for l in lines]


class TestImportOpeningBalances:
    async def test_books_one_opening_transaction_per_member(self, api, connection):
        response = await upload(api, GOOD)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["dry_run"] is False and uuid.UUID(body["import_id"])
        assert body["summary"] == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0,
                                   "book_total": "1479.50", "tax_total": "1200.00"}
        assert [(s["line"], s["member_id"], s["action"]) for s in body["sample"]] == [
            (2, str(ANA), "created"), (3, str(BEN), "created")]
        assert await statement(api, ANA) == [
            ("opening_balance", "2025-12-31", "1500.00", "1200.00", "1500.00", "1200.00")]
        assert await statement(api, BEN) == [("opening_balance", "2025-12-31", "-20.50", "0.00", "-20.50", "0.00")]
        line = (await api.get(f"/capital-accounts/{ANA}/statement")).json()["lines"][0]
        assert line["description"] == "Opening balance carried from the previous system: carried from the spreadsheet"
        # Ben's zero tax balance posts nothing on the tax basis; the other side is opening-balance equity
        rows = (await connection.execute(text(
            "SELECT a.code, p.basis, p.amount FROM ledger.posting p JOIN ledger.account a ON a.id = p.account_id"
            " JOIN ledger.journal_transaction t ON t.id = p.transaction_id WHERE t.member_id = :m ORDER BY p.id"),
            {"m": BEN})).all()
        assert [tuple(r) for r in rows] == [
            ("coop:opening_equity", "book", Decimal("-20.50")), (f"member:{BEN}:capital", "book", Decimal("20.50"))]
        assert await count(connection, "SELECT count(*) FROM ledger.capital_import") == 1

    async def test_a_dry_run_reports_and_writes_nothing(self, api, connection):
        body = (await upload(api, GOOD, dry_run=True)).json()
        assert (body["dry_run"], body["import_id"], body["summary"]["created"]) == (True, None, 2)
        assert await count(connection, "SELECT count(*) FROM ledger.journal_transaction") == 0
        assert await count(connection, "SELECT count(*) FROM ledger.capital_import") == 0

    async def test_running_the_same_file_again_changes_nothing(self, api, connection):
        await upload(api, GOOD)
        again = (await upload(api, GOOD)).json()
        assert again["summary"] | {"book_total": None, "tax_total": None} == {
            "rows": 2, "created": 0, "updated": 0, "unchanged": 2, "book_total": None, "tax_total": None}
        assert again["import_id"] is None
        assert await count(connection, "SELECT count(*) FROM ledger.journal_transaction") == 2

    async def test_a_changed_balance_is_reversed_and_booked_anew(self, api, connection):
        await upload(api, GOOD)
        changed = HEADER + "ana@example.org,1600.00,1200.00,2025-12-31,revised\nben@example.org,-20.50,0,2025-12-31,\n"
        body = (await upload(api, changed)).json()
        assert (body["summary"]["updated"], body["summary"]["unchanged"]) == (1, 1)
        assert await statement(api, ANA) == [
            ("opening_balance", "2025-12-31", "1500.00", "1200.00", "1500.00", "1200.00"),
            ("reversal", "2025-12-31", "-1500.00", "-1200.00", "0.00", "0.00"),
            ("opening_balance", "2025-12-31", "1600.00", "1200.00", "1600.00", "1200.00"),
        ]
        reversed_ok = await count(connection, (
            "SELECT count(*) FROM ledger.journal_transaction r JOIN ledger.journal_transaction o ON o.id = r.reverses_id"
            " WHERE r.source_type = 'reversal' AND o.source_type = 'opening_balance' AND r.source_id = o.id"))
        assert reversed_ok == 1
        assert (await upload(api, changed)).json()["summary"]["unchanged"] == 2  # and now that is the one in force

    async def test_a_file_arriving_in_small_chunks_reads_the_same(self, api):
        body = HEADER + 'ana@example.org,1.00,2.00,2025-12-31,"café, ""dépôt""\nsecond line"\nben@example.org,3.00,4.00,2025-12-31,\n'
        response = await upload(api, "\ufeff" + body, chunk=3)  # a BOM, and multi-byte characters split apart
        assert response.status_code == 200, response.text
        sample = response.json()["sample"]
        assert [(s["line"], s["note"]) for s in sample] == [(2, 'café, "dépôt"\nsecond line'), (4, None)]

    async def test_opening_balances_are_beginning_capital_or_an_other_increase_on_the_k1(self, api):
        await upload(api, HEADER + "ana@example.org,100.00,80.00,2025-12-31,\nben@example.org,50.00,50.00,2026-01-15,\n")
        rows = {r["member_id"]: r["item_l_tax"] for r in (await api.get("/exports/k1", params={"year": 2026})).json()["rows"]}
        assert (rows[str(ANA)]["beginning"], rows[str(ANA)]["other"], rows[str(ANA)]["ending"]) == ("80.00", "0.00", "80.00")
        assert (rows[str(BEN)]["beginning"], rows[str(BEN)]["other"]) == ("0.00", "50.00")
        assert rows[str(BEN)]["other_explanation"] == "opening balances 50.00"
        journal = (await api.get("/exports/journal", params={"basis": "book"})).text
        assert "    assets:net assets carried forward  " in journal  # the co-op side of opening capital

    @pytest.mark.parametrize("role", ["member", "steward"])
    async def test_only_admins_import(self, api, role, connection):
        assert (await upload(api, GOOD, role=role)).status_code == 403
        assert await count(connection, "SELECT count(*) FROM ledger.journal_transaction") == 0


def problems(response) -> list[tuple]:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_csv"
    assert error["message"] == f"{error['error_count']} problem{'s' if error['error_count'] != 1 else ''} in the {error['pass']} pass; nothing was written."
    return [error["pass"], error["error_count"], [(e["line"], e["column"], e["field"], e["code"]) for e in error["errors"]]]


class TestValidationPasses:
    async def test_format_problems_are_all_reported_with_line_and_column(self, api, connection):
        body = (
            "as_of,member_email,book_balance,tax_balance\n"
            "2025-12-31,ana@example.org,12.345,0\n"
            "\n"
            "31/12/2025,not-an-email,,1e3\n"
            "2025-12-31,ben@example.org\n"
            '2025-12-31,"ben@example.org\nx",1.00,1.00\n'
            "2025-12-31,ana@example.org,1.00,\"1.00\"x\n"
        )
        assert problems(await upload(api, body)) == ["format", 8, [
            (2, 3, "book_balance", "invalid_amount"),
            (4, 1, "as_of", "invalid_date"), (4, 2, "member_email", "invalid_email"),
            (4, 3, "book_balance", "missing_value"), (4, 4, "tax_balance", "invalid_amount"),
            (5, 3, "", "wrong_column_count"),
            (6, 2, "member_email", "invalid_email"),
            (8, 1, "", "malformed_csv"),
        ]]
        assert await count(connection, "SELECT count(*) FROM ledger.journal_transaction") == 0

    @pytest.mark.parametrize(
        ("body", "expected"),
        [
            (b"", [(1, 1, "", "empty_file")]),
            (b"\n\n", [(1, 1, "", "empty_file")]),
            (b"member_email,book_balance,tax_balance,as_of,colour\n", [(1, 5, "colour", "unknown_column")]),
            (b"member_email,book_balance,as_of\n", [(1, 1, "tax_balance", "missing_column")]),
            (b"member_email,Member_Email,book_balance,tax_balance,as_of\n", [(1, 2, "member_email", "duplicate_column")]),
            (HEADER.encode() + b"ana@example.org,1.00,1.00,2025-12-31,caf\xe9\n", [(2, 5, "", "bad_encoding")]),
        ],
    )
    async def test_unreadable_files_and_bad_headers(self, api, body, expected):
        assert problems(await upload(api, body))[2] == expected

    async def test_only_the_first_200_problems_are_listed_but_all_are_counted(self, api):
        body = HEADER + "".join(f"ana@example.org,x{n},0,2025-12-31,\n" for n in range(250))
        found = problems(await upload(api, body, chunk=1000))
        assert (found[1], len(found[2]), found[2][-1]) == (250, 200, (201, 2, "book_balance", "invalid_amount"))

    async def test_references_name_unknown_members(self, api):
        body = "as_of,member_email,book_balance,tax_balance\n2025-12-31,ana@example.org,1,1\n2025-12-31,zoe@example.org,1,1\n"
        assert problems(await upload(api, body)) == ["references", 1, [(3, 2, "member_email", "unknown_member")]]

    async def test_business_rules_refuse_future_dates_and_closed_periods(self, api, connection):
        await api.post("/periods", {"name": "2025-Q4", "starts_on": "2025-10-01", "ends_on": "2025-12-31"})
        await connection.execute(text("UPDATE ledger.period SET status = 'closed'"))
        tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
        body = HEADER + f"ana@example.org,1,1,2025-11-30,\nben@example.org,1,1,{tomorrow},\n"
        assert problems(await upload(api, body)) == ["business", 2, [
            (2, 4, "as_of", "period_locked"), (3, 4, "as_of", "future_date")]]

    async def test_a_balance_dated_in_a_closed_period_can_be_restated_but_not_replaced(self, api, connection):
        await upload(api, GOOD)
        await api.post("/periods", {"name": "2025-Q4", "starts_on": "2025-10-01", "ends_on": "2025-12-31"})
        await connection.execute(text("UPDATE ledger.period SET status = 'closed'"))
        assert (await upload(api, GOOD)).json()["summary"]["unchanged"] == 2
        moved = HEADER + "ana@example.org,1500.00,1200.00,2026-01-02,\n"
        assert problems(await upload(api, moved)) == ["business", 1, [(2, 1, "member_email", "opening_balance_locked")]]

    async def test_reconciliation_finds_a_member_twice(self, api):
        body = GOOD + "ANA@example.org,1.00,1.00,2025-12-31,again\n"
        assert problems(await upload(api, body)) == ["reconciliation", 2, [
            (2, 1, "member_email", "duplicate_member"), (4, 1, "member_email", "duplicate_member")]]

    async def test_passes_stop_at_the_first_with_problems(self, api):
        body = HEADER + "zoe@example.org,1.00,1.00,2999-01-01,\nzoe@example.org,1.00,1.00,2025-12-31,\n"
        assert problems(await upload(api, body))[0] == "references"
