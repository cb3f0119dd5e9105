"""A service answering an error that is not JSON (a proxy's or a crashed worker's text/plain page) used to make the
gateway raise: a plain-text 500, and uvicorn then dropped the keep-alive connection, so the next request through
Caddy got an empty 502. It is now the gateway's own JSON 502 upstream_error, and the next request goes through."""

from __future__ import annotations

import asyncio
import socket
import uuid

import httpx
import pytest
import uvicorn
from aiohttp import web
from habitat_common.auth import TokenVerifier
from habitat_common.settings import AuthSettings
from habitat_common.testing import LocalKeys
from habitat_gateway.app import create_app
from habitat_gateway.clients.upstream import ServiceClient, Services
from habitat_gateway.config import GatewaySettings

PAGE = {"items": [], "total": 0}


def bearer(keys: LocalKeys) -> dict:
    return {"Authorization": f"Bearer {keys.mint(uuid.uuid4(), 'steward')}"}


class TestThroughTheMockTransport:
    async def test_a_text_error_is_a_json_502_and_the_next_request_succeeds(self, gateway_over, keys) -> None:
        answers = iter([httpx.Response(500, text="Internal Server Error", headers={"Content-Type": "text/plain"})])

        def contributions(_: httpx.Request) -> httpx.Response:
            return next(answers, httpx.Response(200, json=PAGE))

        async with gateway_over(contributions=contributions) as gw:
            failed = await gw.get("/api/v1/contributions", headers=bearer(keys))
            assert failed.status_code == 502, failed.text
            assert failed.headers["content-type"].startswith("application/json")
            assert failed.json()["error"]["code"] == "upstream_error"
            ok = await gw.get("/api/v1/contributions", headers=bearer(keys))
            assert (ok.status_code, ok.json()) == (200, PAGE)

    async def test_a_success_that_is_not_json_is_a_502_too(self, gateway_over, keys) -> None:
        def identity(_: httpx.Request) -> httpx.Response:
            return httpx.Response(200, text="<html>maintenance</html>", headers={"Content-Type": "text/html"})

        async with gateway_over(identity=identity) as gw:
            response = await gw.get("/api/v1/members", headers=bearer(keys))
            assert response.status_code == 502 and response.json()["error"]["code"] == "upstream_error"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.timeout(60)
async def test_over_real_sockets_the_keep_alive_connection_survives_a_text_error() -> None:
    """aiohttp upstream answering text/plain 500 once, the gateway under uvicorn, one pooled client connection
    (as Caddy keeps): the second request on that same connection is answered."""
    calls = 0

    async def contributions(_: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return web.Response(status=500, text="Internal Server Error", content_type="text/plain")
        return web.json_response(PAGE)

    upstream = web.Application()
    upstream.router.add_get("/contributions", contributions)
    runner = web.AppRunner(upstream)
    await runner.setup()
    upstream_port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", upstream_port).start()

    keys = LocalKeys()

    def service(name: str) -> ServiceClient:
        return ServiceClient(name, f"http://127.0.0.1:{upstream_port}", timeout=5, max_connections=5)

    services = Services(service("identity"), service("contributions"), service("ledger"), service("notifications"))
    app = create_app(GatewaySettings(cookie_secure=False), TokenVerifier(AuthSettings(), keys), services)
    gateway_port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=gateway_port, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.05)
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway_port}", limits=limits) as client:
            connections: set[int] = set()

            async def local_port(response: httpx.Response) -> None:
                stream = response.extensions.get("network_stream")
                if stream is not None:
                    connections.add(stream.get_extra_info("client_addr")[1])

            client.event_hooks["response"] = [local_port]
            failed = await client.get("/api/v1/contributions", headers=bearer(keys))
            assert failed.status_code == 502 and failed.json()["error"]["code"] == "upstream_error", failed.text
            ok = await client.get("/api/v1/contributions", headers=bearer(keys))
            assert (ok.status_code, ok.json()) == (200, PAGE)
            assert len(connections) == 1  # the same kept-alive connection answered both
    finally:
        server.should_exit = True
        await serving
        await services.close()
        await runner.cleanup()
