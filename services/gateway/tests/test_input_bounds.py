"""Fuzzing found 500s and loose inputs: the gateway refuses them before any upstream call, 422 with a code."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from habitat_common.testing import LocalKeys

HUGE = 2**63  # one past PostgreSQL's bigint


def bearer(keys: LocalKeys, role: str) -> dict:
    return {"Authorization": f"Bearer {keys.mint(uuid.uuid4(), role)}"}


def empty_page(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"items": [], "total": 0})


class TestPageBounds:
    @pytest.mark.parametrize(
        ("path", "role"),
        [
            ("/api/v1/contributions", "steward"),
            ("/api/v1/review-queue", "steward"),
            ("/api/v1/members", "steward"),
            ("/api/v1/audit-log", "admin"),
        ],
    )
    async def test_an_offset_beyond_the_bound_is_422(self, gateway_over, keys, path, role) -> None:
        calls: list[httpx.Request] = []

        def upstream(request: httpx.Request) -> httpx.Response:
            calls.append(request)
            return empty_page(request)

        async with gateway_over(identity=upstream, contributions=upstream) as gw:
            for offset in (HUGE, 1_000_001):
                response = await gw.get(path, params={"offset": offset}, headers=bearer(keys, role))
                assert response.status_code == 422, response.text
                assert response.json()["error"]["code"] == "invalid_request"
            assert calls == []
            ok = await gw.get(path, params={"offset": 1_000_000}, headers=bearer(keys, role))
            assert ok.status_code == 200, ok.text


class TestNoNulNorControlCharacters:
    async def test_nul_and_control_characters_are_422_before_any_upstream_call(self, gateway_over, keys) -> None:
        calls: list[httpx.Request] = []

        def upstream(request: httpx.Request) -> httpx.Response:
            calls.append(request)
            return empty_page(request)

        async with gateway_over(identity=upstream, contributions=upstream) as gw:
            login = await gw.post("/api/v1/auth/login", json={"email": "a\x00@x.org", "password": "x" * 12})
            assert login.status_code == 422 and login.json()["error"]["code"] == "nul_character", login.text
            search = await gw.get("/api/v1/members", params={"q": "a\x00"}, headers=bearer(keys, "steward"))
            assert search.status_code == 422 and search.json()["error"]["code"] == "nul_character", search.text
            body = {"email": "ada@example.org", "display_name": "Ada\x1bKing", "role": "member"}
            named = await gw.post("/api/v1/members", json=body, headers=bearer(keys, "admin"))
            assert named.status_code == 422 and named.json()["error"]["code"] == "control_character", named.text
            assert calls == []


class TestDates:
    async def test_dates_are_iso_strings_in_range_before_any_upstream_call(self, gateway_over, keys) -> None:
        calls: list[httpx.Request] = []

        def upstream(request: httpx.Request) -> httpx.Response:
            calls.append(request)
            return empty_page(request)

        period = {"name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}
        async with gateway_over(ledger=upstream) as gw:
            for changes, code in (
                ({"starts_on": 86400000}, "invalid_date"),
                ({"ends_on": "9999-12-31"}, "date_out_of_range"),
            ):
                response = await gw.post("/api/v1/periods", json={**period, **changes}, headers=bearer(keys, "admin"))
                assert response.status_code == 422, response.text
                assert response.json()["error"]["code"] == code
            member = uuid.uuid4()
            statement = f"/api/v1/capital-accounts/{member}/statement"
            response = await gw.get(statement, params={"as_of": "0"}, headers=bearer(keys, "admin"))
            assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_date", response.text
            assert calls == []


class TestPeriodNames:
    async def test_the_api_takes_the_period_names_the_ledger_takes_and_refuses_longer_ones_itself(
        self, gateway_over, keys
    ) -> None:
        calls: list[httpx.Request] = []

        def upstream(request: httpx.Request) -> httpx.Response:
            calls.append(request)
            body = json.loads(request.content)
            return httpx.Response(201, json={"id": str(uuid.uuid4()), **body, "status": "open",
                                             "created_at": "2026-01-01T00:00:00Z"})

        period = {"starts_on": "2026-01-01", "ends_on": "2026-03-31"}
        async with gateway_over(ledger=upstream) as gw:
            longest = await gw.post("/api/v1/periods", json={**period, "name": "Q" * 64}, headers=bearer(keys, "admin"))
            assert longest.status_code == 201 and len(calls) == 1, longest.text  # 64: the ledger's own limit
            too_long = await gw.post("/api/v1/periods", json={**period, "name": "Q" * 65}, headers=bearer(keys, "admin"))
            assert too_long.status_code == 422 and len(calls) == 1, too_long.text
