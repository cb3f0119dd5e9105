"""The HTTP API through ASGITransport, with tokens minted by LocalKeys."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from habitat_common.testing import LocalKeys
from sqlalchemy import text

from habitat_ledger.entrypoints.consumers import contribution_approved_handler
from habitat_ledger.entrypoints.http import create_app
from tests.ledger_builders import approved, envelope
from tests.ledger_db import TransactionReads

Q1 = {"name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}


class Caller:
    def __init__(self, client: httpx.AsyncClient, keys: LocalKeys) -> None:
        self.client, self.keys = client, keys

    def headers(self, role: str = "member", member_id: uuid.UUID | None = None, **mint) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys.mint(member_id or uuid.uuid4(), role, **mint)}"}

    async def get(self, path: str, role: str = "member", member_id=None, **kw) -> httpx.Response:
        return await self.client.get(path, headers=self.headers(role, member_id), **kw)

    async def post(self, path: str, body: dict, role: str = "admin") -> httpx.Response:
        return await self.client.post(path, json=body, headers=self.headers(role))


@pytest.fixture
async def api(settings, connection, session_factory):
    keys = LocalKeys()
    app = create_app(settings, keys, session_factory=session_factory, reads=TransactionReads(connection))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ledger") as client:
        yield Caller(client, keys)


class TestAuthentication:
    async def test_no_token_is_401(self, api):
        response = await api.client.get("/periods")
        assert (response.status_code, response.json()["error"]["code"]) == (401, "unauthorized")

    async def test_expired_token_is_401(self, api):
        headers = api.headers(expires_in=timedelta(seconds=-5))
        assert (await api.client.get("/periods", headers=headers)).status_code == 401

    async def test_token_from_other_keys_is_401(self, api):
        headers = {"Authorization": f"Bearer {LocalKeys().mint(uuid.uuid4(), 'admin')}"}
        assert (await api.client.get("/periods", headers=headers)).status_code == 401

    async def test_temporary_password_token_is_refused(self, api):
        headers = api.headers(must_change_password=True)
        response = await api.client.get("/periods", headers=headers)
        assert (response.status_code, response.json()["error"]["code"]) == (403, "password_change_required")


class TestOpenPeriod:
    async def test_admin_opens_a_period_and_it_is_announced(self, api, connection):
        response = await api.post("/periods", Q1)
        assert response.status_code == 201
        body = response.json()
        assert {k: body[k] for k in (*Q1, "status")} == {**Q1, "status": "open"}
        routing_key = await connection.scalar(text("SELECT routing_key FROM ledger.outbox"))
        assert routing_key == "ledger.period_opened.v1"

    @pytest.mark.parametrize("role", ["member", "steward"])
    async def test_only_admins_open_periods(self, api, role, connection):
        assert (await api.post("/periods", Q1, role=role)).status_code == 403
        assert await connection.scalar(text("SELECT count(*) FROM ledger.period")) == 0

    async def test_overlapping_period_is_409(self, api):
        await api.post("/periods", Q1)
        response = await api.post(
            "/periods", {"name": "overlap", "starts_on": "2026-03-31", "ends_on": "2026-06-30"}
        )
        assert (response.status_code, response.json()["error"]["code"]) == (409, "period_overlap")

    async def test_adjacent_periods_are_fine(self, api):
        await api.post("/periods", Q1)
        response = await api.post(
            "/periods", {"name": "2026-Q2", "starts_on": "2026-04-01", "ends_on": "2026-06-30"}
        )
        assert response.status_code == 201

    async def test_taken_name_is_409(self, api):
        await api.post("/periods", Q1)
        response = await api.post("/periods", {**Q1, "starts_on": "2027-01-01", "ends_on": "2027-03-31"})
        assert (response.status_code, response.json()["error"]["code"]) == (409, "period_name_taken")

    @pytest.mark.parametrize(
        "body",
        [
            {**Q1, "ends_on": "2025-12-31"},
            {**Q1, "name": ""},
            {**Q1, "starts_on": "not-a-date"},
            {"name": "x"},
        ],
    )
    async def test_bad_input_is_422(self, api, body):
        response = await api.post("/periods", body)
        assert response.status_code == 422
        assert response.json()["error"]["code"] in {"invalid_request", "invalid_period", "invalid_date"}


class TestReadPeriods:
    async def test_members_list_and_read_periods(self, api):
        created = (await api.post("/periods", Q1)).json()
        listed = await api.get("/periods")
        assert [p["id"] for p in listed.json()["items"]] == [created["id"]]
        assert (await api.get(f"/periods/{created['id']}")).json() == created

    async def test_unknown_period_is_404(self, api):
        response = await api.get(f"/periods/{uuid.uuid4()}")
        assert (response.status_code, response.json()["error"]["code"]) == (404, "period_not_found")


class TestCapitalAccount:
    @pytest.fixture
    async def member_with_capital(self, api, uow_factory) -> uuid.UUID:
        period_id = uuid.UUID((await api.post("/periods", Q1)).json()["id"])
        contract = approved("property", book="1000.00", tax="600.00", period_id=period_id)
        await contribution_approved_handler(uow_factory)(envelope(contract))
        return contract.member_id

    async def test_member_sees_own_account_with_money_as_strings(self, api, member_with_capital):
        response = await api.get(f"/capital-accounts/{member_with_capital}", member_id=member_with_capital)
        assert response.status_code == 200
        body = response.json()
        assert (body["member_id"], body["book_balance"], body["tax_balance"]) == (
            str(member_with_capital),
            "1000.00",
            "600.00",
        )

    async def test_another_members_account_is_404(self, api, member_with_capital):
        response = await api.get(f"/capital-accounts/{member_with_capital}")
        assert (response.status_code, response.json()["error"]["code"]) == (404, "capital_account_not_found")

    @pytest.mark.parametrize("role", ["steward", "admin"])
    async def test_stewards_and_admins_see_any_account(self, api, member_with_capital, role):
        response = await api.get(f"/capital-accounts/{member_with_capital}", role=role)
        assert response.json()["book_balance"] == "1000.00"

    async def test_as_of_before_the_contribution_is_zero(self, api, member_with_capital):
        response = await api.get(
            f"/capital-accounts/{member_with_capital}", role="admin", params={"as_of": "2026-01-01"}
        )
        assert response.json() == {
            "member_id": str(member_with_capital),
            "book_balance": "0.00",
            "tax_balance": "0.00",
            "as_of": "2026-01-01",
        }

    async def test_a_member_without_postings_has_zero(self, api):
        member = uuid.uuid4()
        response = await api.get(f"/capital-accounts/{member}", member_id=member)
        assert (response.json()["book_balance"], response.json()["tax_balance"]) == ("0.00", "0.00")


class TestOperations:
    async def test_health_and_openapi(self, api):
        assert (await api.client.get("/healthz")).status_code == 200
        schema = (await api.client.get("/openapi.json")).json()
        money = schema["components"]["schemas"]["CapitalAccountOut"]["properties"]["book_balance"]
        assert money["type"] == "string"
        assert "/capital-accounts/{member_id}" in schema["paths"]
