"""A pooled httpx client per service that forwards the caller's token and correlation id."""

from __future__ import annotations

from typing import Any

import httpx
from habitat_common.telemetry import current_correlation_id
from habitat_common.web.errors import ApiError


class UpstreamError(ApiError):
    """A service answered with an error; the gateway passes its status and body on."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.body = body
        error = body.get("error") if isinstance(body, dict) else None
        code = error.get("code", "upstream_error") if isinstance(error, dict) else "upstream_error"
        message = error.get("message", "The service refused the request.") if isinstance(error, dict) else str(body)
        extra = {k: v for k, v in body.items() if k != "error"} if isinstance(body, dict) else {}
        super().__init__(status, code, message, extra)


class ServiceUnavailable(ApiError):
    def __init__(self, service: str) -> None:
        super().__init__(503, "service_unavailable", f"The {service} service is not reachable; try again shortly.")


class ServiceClient:
    """Calls one service; raises UpstreamError for 4xx/5xx so routes only handle success."""

    def __init__(self, name: str, base_url: str, *, timeout: float, max_connections: int) -> None:
        self.name = name
        self._client = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=2.0),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if correlation_id := current_correlation_id():
            headers["X-Correlation-ID"] = correlation_id
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = await self._client.request(
                method, path, headers=headers, json=json, params=clean_params, content=content
            )
        except httpx.TransportError as error:
            raise ServiceUnavailable(self.name) from error
        if response.status_code == 204:
            return None
        body = response.json() if response.content else {}
        if response.is_error:
            error = UpstreamError(response.status_code, body)
            if retry_after := response.headers.get("retry-after"):
                error.extra["retry_after"] = retry_after
            raise error
        return body

    async def download(self, path: str, *, token: str, params: dict[str, Any]) -> httpx.Response:
        """A non-JSON answer (CSV, journal text) passed on as is; errors raise like request()."""
        headers = {"Authorization": f"Bearer {token}"}
        if correlation_id := current_correlation_id():
            headers["X-Correlation-ID"] = correlation_id
        try:
            response = await self._client.get(
                path, headers=headers, params={k: v for k, v in params.items() if v is not None}
            )
        except httpx.TransportError as error:
            raise ServiceUnavailable(self.name) from error
        if response.is_error:
            raise UpstreamError(response.status_code, response.json() if response.content else {})
        return response

    async def is_alive(self) -> bool:
        try:
            return (await self._client.get("/healthz", timeout=2.0)).status_code == 200
        except httpx.HTTPError:
            return False

    async def close(self) -> None:
        await self._client.aclose()


class Services:
    """The three services, built once per process."""

    def __init__(self, identity: ServiceClient, contributions: ServiceClient, ledger: ServiceClient) -> None:
        self.identity = identity
        self.contributions = contributions
        self.ledger = ledger

    def all(self) -> tuple[ServiceClient, ...]:
        return (self.identity, self.contributions, self.ledger)

    async def close(self) -> None:
        for client in self.all():
            await client.close()
