"""How the gateway reaches a service: aiohttp in production (cheaper per request than httpx, which
dominated the gateway's CPU profile), httpx where tests want its MockTransport.

Each call is a client span whose context goes to the service in the traceparent header. The span is started
here with OpenTelemetry's API rather than by aiohttp's instrumentation: its trace config made aiohttp fire its
tracing signals on every request, 8 % of the CPU of a request passing through the gateway."""

from __future__ import annotations

import json as jsonlib
from collections.abc import AsyncIterable
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import httpx
from opentelemetry import propagate, trace
from opentelemetry.semconv.attributes.http_attributes import HTTP_REQUEST_METHOD, HTTP_RESPONSE_STATUS_CODE
from opentelemetry.semconv.attributes.url_attributes import URL_FULL
from opentelemetry.trace import SpanKind, Status, StatusCode

from habitat_gateway import fast_json

# Shorter than the services' keep-alive (uvicorn --timeout-keep-alive 75): a pooled connection is
# never reused at the moment the service closes it.
POOL_KEEPALIVE_SECONDS = 30
TRACER = trace.get_tracer("habitat_gateway.clients")


class TransportFailure(Exception):
    """The service could not be reached (connection refused, timeout, reset)."""


@dataclass(frozen=True)
class UpstreamResponse:
    status: int
    headers: dict[str, str]
    content: bytes

    def json(self) -> Any:
        return fast_json.loads(self.content) if self.content else {}


class Transport(Protocol):
    async def send(
        self, method: str, path: str, *, headers: dict[str, str], params: dict[str, Any],
        json: Any = None, content: bytes | AsyncIterable[bytes] | None = None, timeout: float | None = None,
    ) -> UpstreamResponse:
        """One request; content may be an async iterable streamed as it comes; timeout overrides the default."""
        ...

    async def close(self) -> None: ...


class AiohttpTransport:
    """One pooled aiohttp session per service, created on first use inside the running loop."""

    def __init__(
        self, base_url: str, *, timeout: float, max_connections: int, tracer: trace.Tracer = TRACER
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._tracer = tracer
        self._timeout = aiohttp.ClientTimeout(total=timeout, connect=2.0)
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._max_connections, keepalive_timeout=POOL_KEEPALIVE_SECONDS),
                timeout=self._timeout,
                json_serialize=jsonlib.dumps,
                # one session serves every caller: a cookie a service sets (a device cookie) must never be
                # kept and sent on for the next caller
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def send(self, method, path, *, headers, params, json=None, content=None, timeout=None) -> UpstreamResponse:
        url = self._base_url + path
        headers = {**headers}
        if _unsampled(trace.get_current_span()):
            # every sampler habitat_common.tracing builds decides a child like its parent (parent-based, or by
            # the same trace id): the span would not be recorded, so the service gets the request's context
            propagate.inject(headers)
            return await self._request(method, url, headers, params, json, content, timeout)
        # a failure leaving the block is recorded on the span with an error status
        with self._tracer.start_as_current_span(method, kind=SpanKind.CLIENT) as span:
            propagate.inject(headers)
            if span.is_recording():
                span.set_attributes({HTTP_REQUEST_METHOD: method, URL_FULL: url})
            response = await self._request(method, url, headers, params, json, content, timeout)
            if span.is_recording():
                span.set_attribute(HTTP_RESPONSE_STATUS_CODE, response.status)
                if response.status >= 400:
                    span.set_status(Status(StatusCode.ERROR))
            return response

    async def _request(self, method, url, headers, params, json, content, timeout) -> UpstreamResponse:
        options = {"timeout": aiohttp.ClientTimeout(total=timeout, connect=2.0)} if timeout else {}
        try:
            async with self._client().request(
                method, url, headers=headers, params=params or None, json=json, data=content, **options,
            ) as response:
                body = await response.read()
        except (aiohttp.ClientConnectionError, TimeoutError) as error:
            raise TransportFailure(str(error)) from error
        return UpstreamResponse(response.status, {k.lower(): v for k, v in response.headers.items()}, body)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def _unsampled(span: trace.Span) -> bool:
    """A span of a trace that is not being recorded (one not recording because it has ended is not one)."""
    context = span.get_span_context()
    return context.is_valid and not context.trace_flags.sampled


class HttpxTransport:
    """httpx, for tests that answer with httpx.MockTransport (no client spans, no trace context sent)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def send(self, method, path, *, headers, params, json=None, content=None, timeout=None) -> UpstreamResponse:
        try:
            response = await self._client.request(
                method, path, headers=headers, params=params, json=json, content=content,
                timeout=timeout or httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TransportError as error:
            raise TransportFailure(str(error)) from error
        return UpstreamResponse(response.status_code, dict(response.headers), response.content)

    async def close(self) -> None:
        await self._client.aclose()
