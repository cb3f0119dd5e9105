"""Fuzzing found 500s and loose inputs: the gateway refuses them before any upstream call, 422 with a code."""

from __future__ import annotations

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
