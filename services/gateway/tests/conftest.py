"""Shared by the gateway's tests: the app over mock services that answer with handlers a test gives."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from habitat_common.auth import TokenVerifier
from habitat_common.settings import AuthSettings
from habitat_common.testing import LocalKeys
from habitat_gateway.app import create_app
from habitat_gateway.clients.transport import HttpxTransport
from habitat_gateway.clients.upstream import ServiceClient, Services
from habitat_gateway.config import GatewaySettings

Handler = Callable[[httpx.Request], httpx.Response]


def not_found(_: httpx.Request) -> httpx.Response:
    return httpx.Response(404, json={"error": {"code": "not_found", "message": "nope"}})


@pytest.fixture
def keys() -> LocalKeys:
    return LocalKeys()


@pytest.fixture
def gateway_over(keys: LocalKeys):
    """gateway_over(ledger=handler, ...) is an HTTP client of the gateway whose services answer with the
    handlers given (identity, contributions, ledger, notifications; any left out answers 404); tokens are minted by `keys`."""

    @asynccontextmanager
    async def start(settings: GatewaySettings | None = None, **handlers: Handler) -> AsyncIterator[httpx.AsyncClient]:
        def service(name: str) -> ServiceClient:
            mock = httpx.AsyncClient(base_url=f"http://{name}", transport=httpx.MockTransport(handlers.get(name, not_found)))
            return ServiceClient(name, f"http://{name}", timeout=5, max_connections=5, transport=HttpxTransport(mock))

        services = Services(service("identity"), service("contributions"), service("ledger"), service("notifications"))
        settings = settings or GatewaySettings(cookie_secure=False)
        app = create_app(settings, TokenVerifier(AuthSettings(), keys), services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as http:
            yield http

    return start


async def _post_form(gw: httpx.AsyncClient, page: str, action: str, fields: dict[str, str]) -> httpx.Response:
    """Post `fields` to `action` with the CSRF token the page at `page` carries, as a browser does."""
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', (await gw.get(page)).text)[1]
    return await gw.post(action, data={"csrf_token": csrf, **fields})


@pytest.fixture
def post_form():
    """post_form(client, page, action, fields): a browser's form post (the CSRF token taken from page)."""
    return _post_form
