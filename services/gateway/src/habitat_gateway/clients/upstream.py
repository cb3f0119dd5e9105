"""A pooled client per service that forwards the caller's token and correlation id (the transport's
instrumentation sends the trace context)."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable
from typing import Any

from habitat_common.telemetry import current_correlation_id
from habitat_common.web.errors import ApiError
from starlette.responses import Response

from habitat_gateway.clients.transport import AiohttpTransport, Transport, TransportFailure, UpstreamResponse
from habitat_gateway.dashboard_cache import DashboardCache

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class UpstreamError(ApiError):
    """A service answered with an error; the gateway passes its status and body on."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.body = body
        error = body.get("error") if isinstance(body, dict) else None
        code = error.get("code", "upstream_error") if isinstance(error, dict) else "upstream_error"
        message = error.get("message", "The service refused the request.") if isinstance(error, dict) else str(body)
        extra = {k: v for k, v in body.items() if k != "error"} if isinstance(body, dict) else {}
        if isinstance(error, dict):  # details a service nests in its error (an import's line errors) come up a level
            extra |= {k: v for k, v in error.items() if k not in ("code", "message")}
        super().__init__(status, code, message, extra)


class UpstreamNotJson(ApiError):
    """A service answered with something that is not JSON (a proxy's or a crashed worker's text page)."""

    def __init__(self, service: str, status: int) -> None:
        super().__init__(
            502, "upstream_error", f"The {service} service gave an unreadable answer (HTTP {status}); try again shortly."
        )


def _json_of(service: str, response: UpstreamResponse) -> Any:
    """The body as JSON, or UpstreamNotJson: the gateway always answers its own JSON error, never raises
    past its handlers (an unhandled error also made uvicorn drop the keep-alive connection Caddy reuses)."""
    try:
        return response.json()
    except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
        raise UpstreamNotJson(service, response.status) from None


class ServiceUnavailable(ApiError):
    def __init__(self, service: str) -> None:
        super().__init__(503, "service_unavailable", f"The {service} service is not reachable; try again shortly.")


class ServiceClient:
    """Calls one service; raises UpstreamError for 4xx/5xx so routes only handle success."""

    def __init__(
        self, name: str, base_url: str, *, timeout: float, max_connections: int, transport: Transport | None = None
    ) -> None:
        self.name = name
        self._transport = transport or AiohttpTransport(base_url, timeout=timeout, max_connections=max_connections)
        # told the caller's token after each write forwarded for them, whatever its outcome (the dashboard cache)
        self.after_write: Callable[[str], None] | None = None

    async def _send(self, method: str, path: str, *, token: str | None, params: dict[str, Any] | None,
                    headers: dict[str, str] | None = None, json: Any = None,
                    content: bytes | AsyncIterable[bytes] | None = None,
                    timeout: float | None = None) -> UpstreamResponse:
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if correlation_id := current_correlation_id():
            headers["X-Correlation-ID"] = correlation_id
        clean_params = {k: str(v) for k, v in (params or {}).items() if v is not None}
        try:
            response = await self._transport.send(
                method, path, headers=headers, params=clean_params, json=json, content=content, timeout=timeout
            )
        except TransportFailure as error:
            raise ServiceUnavailable(self.name) from error
        finally:
            if token and method not in SAFE_METHODS and self.after_write is not None:
                self.after_write(token)
        if response.status >= 400:
            error = UpstreamError(response.status, _json_of(self.name, response))
            if retry_after := response.headers.get("retry-after"):
                error.extra["retry_after"] = retry_after
            raise error
        return response

    async def request(
        self, method: str, path: str, *, token: str | None = None, json: Any = None,
        params: dict[str, Any] | None = None, content: bytes | None = None, headers: dict[str, str] | None = None,
    ) -> Any:
        response = await self._send(method, path, token=token, params=params, headers=headers, json=json,
                                    content=content)
        return None if response.status == 204 else _json_of(self.name, response)

    async def call(
        self, method: str, path: str, *, json: Any = None, headers: dict[str, str] | None = None,
    ) -> UpstreamResponse:
        """The whole answer (status, headers, body) where a route needs its headers; errors raise like request()."""
        return await self._send(method, path, token=None, params=None, headers=headers, json=json)

    async def forward(
        self, method: str, path: str, *, token: str | None = None, json: Any = None,
        params: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
    ) -> Response:
        """The service's JSON answer passed on byte for byte (its shape is the documented response model);
        saves re-validating and re-serialising on the hot paths."""
        response = await self._send(method, path, token=token, params=params, headers=headers, json=json)
        return Response(response.content, status_code=response.status, media_type="application/json")

    async def upload(
        self, path: str, body: AsyncIterable[bytes], *, token: str, params: dict[str, Any], content_type: str,
        timeout: float,
    ) -> Response:
        """A request body streamed through as it arrives (a large CSV never sits whole in the gateway);
        the service's JSON answer is passed on like forward()."""
        response = await self._send(
            "POST", path, token=token, params=params, headers={"Content-Type": content_type}, content=body,
            timeout=timeout,
        )
        return Response(response.content, status_code=response.status, media_type="application/json")

    async def download(self, path: str, *, token: str, params: dict[str, Any]) -> UpstreamResponse:
        """A non-JSON answer (CSV, journal text) passed on as is; errors raise like request()."""
        return await self._send("GET", path, token=token, params=params)

    async def is_alive(self) -> bool:
        try:
            return (await self._transport.send("GET", "/healthz", headers={}, params={})).status == 200
        except TransportFailure:
            return False

    async def close(self) -> None:
        await self._transport.close()


class Services:
    """The services behind the gateway, built once per process."""

    def __init__(
        self, identity: ServiceClient, contributions: ServiceClient, ledger: ServiceClient,
        notifications: ServiceClient,
    ) -> None:
        self.identity = identity
        self.contributions = contributions
        self.ledger = ledger
        self.notifications = notifications
        self.dashboards: DashboardCache | None = None

    def cache_dashboards(self, cache: DashboardCache) -> None:
        """Answer members' dashboards from cache, dropping the caller's entry on every write forwarded for them."""
        self.dashboards = cache
        for client in (*self.all(), self.notifications):
            client.after_write = cache.drop_caller

    def all(self) -> tuple[ServiceClient, ...]:
        """The services the gateway cannot serve without (its readiness, the integrity report). Notifications
        is not one: with mail down, members still sign in, submit and read their accounts."""
        return (self.identity, self.contributions, self.ledger)

    async def close(self) -> None:
        for client in (*self.all(), self.notifications):
            await client.close()
