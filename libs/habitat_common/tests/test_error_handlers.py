"""Every body the server cannot read is the same 422 invalid_request, whatever made it unreadable."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from habitat_common.web.errors import install_error_handlers
from habitat_common.web.inputs import RequestBody


class Period(RequestBody):
    name: str


def app() -> FastAPI:
    api = FastAPI()
    install_error_handlers(api)

    @api.post("/periods")
    async def create(body: Period) -> dict:
        return {"name": body.name}

    return api


@pytest.mark.parametrize("body", [b"\x80\x80", b"\xc3(", b'{"name": "\xff"}', b"{bad", b"[1"])
async def test_a_body_that_is_not_utf8_json_is_422_invalid_request(body: bytes) -> None:
    """Fuzzing found a non-UTF-8 body answering 400 http_error where malformed JSON answers 422."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app()), base_url="http://t") as client:
        response = await client.post("/periods", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"


async def test_a_readable_body_still_reaches_the_route() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app()), base_url="http://t") as client:
        response = await client.post("/periods", json={"name": "2026-Q1"})
    assert response.status_code == 200 and response.json() == {"name": "2026-Q1"}
