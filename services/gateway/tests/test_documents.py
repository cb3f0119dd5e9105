"""Documents through the gateway: /api/v1 and the UI's /documents pass the ledger's CSV and PDF through
byte for byte, with its content type and file name; refusals come back with the ledger's code."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from habitat_gateway.app import create_app
from habitat_gateway.config import GatewaySettings

MEMBER, OTHER, ALLOCATION, PERIOD = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
PDF = b"%PDF-1.4 a statement \x00\xff"
DISPOSITION = 'attachment; filename="statement.pdf"'


class Ledger:
    """Answers a document with bytes, anyone else's statement with 404; records each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.url.path, dict(request.url.params)))
        if str(OTHER) in request.url.path:
            return httpx.Response(404, json={"error": {"code": "capital_account_not_found", "message": "No such."}})
        if request.url.path.endswith(".csv"):
            return httpx.Response(
                200,
                content=b"date,description\n",
                headers={
                    "content-type": "text/csv; charset=utf-8",
                    "content-disposition": 'attachment; filename="s.csv"',
                },
            )
        return httpx.Response(
            200, content=PDF, headers={"content-type": "application/pdf", "content-disposition": DISPOSITION}
        )


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


@pytest.fixture
async def client(gateway_over, ledger: Ledger):
    async with gateway_over(ledger=ledger) as http:
        yield http


def bearer(keys, role: str = "member") -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.mint(MEMBER, role)}"}


class TestApiDocuments:
    async def test_the_statement_pdf_is_the_ledgers_bytes_with_its_type_and_name(self, client, keys, ledger):
        url = f"/api/v1/capital-accounts/{MEMBER}/statement.pdf"
        response = await client.get(url, params={"from": "2026-01-01", "to": "2026-03-31"}, headers=bearer(keys))
        assert (response.status_code, response.content) == (200, PDF)
        assert (response.headers["content-type"], response.headers["content-disposition"]) == (
            "application/pdf",
            DISPOSITION,
        )
        assert ledger.calls == [
            (f"/capital-accounts/{MEMBER}/statement.pdf", {"from": "2026-01-01", "to": "2026-03-31"})
        ]

    async def test_the_csv_keeps_its_type(self, client, keys, ledger):
        response = await client.get(f"/api/v1/capital-accounts/{MEMBER}/statement.csv", headers=bearer(keys))
        assert (response.text, response.headers["content-type"]) == ("date,description\n", "text/csv; charset=utf-8")
        assert ledger.calls == [(f"/capital-accounts/{MEMBER}/statement.csv", {})]

    async def test_the_allocation_statement_pdf_is_not_taken_for_the_json_one(self, client, keys, ledger):
        response = await client.get(f"/api/v1/allocations/{ALLOCATION}/statement/{MEMBER}.pdf", headers=bearer(keys))
        assert response.content == PDF
        assert ledger.calls == [(f"/allocations/{ALLOCATION}/statement/{MEMBER}.pdf", {})]

    async def test_a_refusal_comes_back_with_the_ledgers_code(self, client, keys):
        response = await client.get(f"/api/v1/capital-accounts/{OTHER}/statement.pdf", headers=bearer(keys))
        assert (response.status_code, response.json()["error"]["code"]) == (404, "capital_account_not_found")

    async def test_a_malformed_date_never_reaches_the_ledger(self, client, keys, ledger):
        url = f"/api/v1/capital-accounts/{MEMBER}/statement.csv"
        response = await client.get(url, params={"from": "2026-13-01"}, headers=bearer(keys))
        assert (response.status_code, ledger.calls) == (422, [])

    async def test_the_board_report_is_for_stewards(self, client, keys, ledger):
        url = f"/api/v1/periods/{PERIOD}/report.pdf"
        assert (await client.get(url, headers=bearer(keys))).status_code == 403
        assert (await client.get(url, headers=bearer(keys, "steward"))).content == PDF
        assert ledger.calls == [(f"/periods/{PERIOD}/report.pdf", {})]


class TestUiDocuments:
    async def test_the_browser_session_downloads_the_statement(self, client, keys, ledger):
        client.cookies.set("habitat_access", keys.mint(MEMBER, "member"))
        response = await client.get(f"/documents/capital-accounts/{MEMBER}/statement.pdf", params={"to": "2026-03-31"})
        assert (response.status_code, response.content, response.headers["content-disposition"]) == (
            200,
            PDF,
            DISPOSITION,
        )
        assert ledger.calls == [(f"/capital-accounts/{MEMBER}/statement.pdf", {"to": "2026-03-31"})]

    async def test_a_csv_for_a_person_is_marked_utf_8_for_spreadsheets_and_the_apis_is_not(self, client, keys):
        api = await client.get(f"/api/v1/capital-accounts/{MEMBER}/statement.csv", headers=bearer(keys))
        client.cookies.set("habitat_access", keys.mint(MEMBER, "member"))
        ui = await client.get(f"/documents/capital-accounts/{MEMBER}/statement.csv")
        assert api.content == b"date,description\n"  # scripts read it as it is
        assert ui.content == "\ufeff".encode() + b"date,description\n"  # Excel reads names in any script
        assert ui.headers["content-type"] == "text/csv; charset=utf-8"
        pdf = await client.get(f"/documents/capital-accounts/{MEMBER}/statement.pdf")
        assert pdf.content == PDF  # only CSV is marked

    async def test_a_refusal_is_the_error_page_with_its_sentence(self, client, keys):
        client.cookies.set("habitat_access", keys.mint(MEMBER, "member"))
        response = await client.get(f"/documents/capital-accounts/{OTHER}/statement.csv")
        assert response.status_code == 404 and "No such." in response.text


def test_openapi_gives_each_document_its_media_type() -> None:
    paths = create_app(GatewaySettings()).openapi()["paths"]
    for path, media in (
        ("/api/v1/capital-accounts/{member_id}/statement.csv", "text/csv"),
        ("/api/v1/capital-accounts/{member_id}/statement.pdf", "application/pdf"),
        ("/api/v1/allocations/{allocation_id}/statement/{member_id}.pdf", "application/pdf"),
        ("/api/v1/periods/{period_id}/report.pdf", "application/pdf"),
    ):
        operation = paths[path]["get"]
        assert media in operation["responses"]["200"]["content"], path
        assert "404" in operation["responses"], json.dumps(operation["responses"])
    parameters = paths["/api/v1/capital-accounts/{member_id}/statement.pdf"]["get"]["parameters"]
    assert {p["name"] for p in parameters} >= {"from", "to"}
