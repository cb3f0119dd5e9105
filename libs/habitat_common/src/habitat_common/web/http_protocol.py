"""uvicorn's httptools protocol, sending what one turn of the event loop writes to a connection in one send.

uvicorn writes a response's status line and headers, then its body, each straight to the socket: two sends per
response, and on loopback each send also delivers to the reader in the sender's time. They were a fifth of the
gateway's CPU on a request it passes through (docs/performance.md). Run the services with
`uvicorn --http habitat_common.web.http_protocol:CoalescingHttpToolsProtocol`."""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# a streamed body written faster than the loop turns leaves in sends of about this size, not all at once
FLUSH_AT_BYTES = 64 * 1024


class CoalescingTransport:
    """A transport whose writes wait for the end of the current turn of the loop and then leave together."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._pending_bytes = 0

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(data)
        self._pending_bytes += len(data)
        if self._pending_bytes >= FLUSH_AT_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending, self._pending_bytes = [], 0
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol writing through a CoalescingTransport."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
