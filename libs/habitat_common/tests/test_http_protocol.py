"""uvicorn's httptools protocol sending what one turn of the loop writes in one send."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from habitat_common.ports import free_port
from habitat_common.web.http_protocol import FLUSH_AT_BYTES, CoalescingTransport


class RecordingTransport:
    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.sent.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str):
        return ("127.0.0.1", 4242) if name == "peername" else None


class TestCoalescingTransport:
    async def test_writes_of_one_turn_leave_together_and_a_later_turn_separately(self) -> None:
        real = RecordingTransport()
        transport = CoalescingTransport(real, asyncio.get_running_loop())
        transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        transport.write(b"{}")
        assert real.sent == []
        await asyncio.sleep(0)
        assert real.sent == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
        transport.write(b"next")
        await asyncio.sleep(0)
        assert real.sent[1:] == [b"next"]

    async def test_a_large_body_written_in_one_turn_leaves_in_bounded_sends(self) -> None:
        real = RecordingTransport()
        transport = CoalescingTransport(real, asyncio.get_running_loop())
        chunk = b"x" * 10_000
        for _ in range(20):
            transport.write(chunk)
        await asyncio.sleep(0)
        assert b"".join(real.sent) == chunk * 20
        assert max(len(part) for part in real.sent) < FLUSH_AT_BYTES + len(chunk)
        assert [len(part) for part in real.sent] == [70_000, 70_000, 60_000]  # two at the threshold, the rest at the turn's end

    async def test_close_sends_what_waits_first_and_nothing_is_sent_after(self) -> None:
        real = RecordingTransport()
        transport = CoalescingTransport(real, asyncio.get_running_loop())
        transport.write(b"last words")
        transport.close()
        assert (real.sent, real.closed, transport.is_closing()) == ([b"last words"], True, True)
        transport.write(b"too late")
        await asyncio.sleep(0)
        assert real.sent == [b"last words"]

    def test_everything_else_is_the_real_transports(self) -> None:
        transport = CoalescingTransport(RecordingTransport(), asyncio.new_event_loop())
        assert transport.get_extra_info("peername") == ("127.0.0.1", 4242)


APP = textwrap.dedent('''
    from fastapi import FastAPI
    from fastapi.responses import StreamingResponse

    def create_app():
        app = FastAPI()

        @app.get("/me")
        async def me():
            return {"name": "Łucja"}

        @app.get("/export")
        async def export():
            async def rows():
                for n in range(20_000):
                    yield f"{n},row {n}\\n".encode()
            return StreamingResponse(rows(), media_type="text/csv")

        return app
''')


@pytest.fixture
def server(tmp_path: Path):
    """The app under uvicorn with the protocol, as the stack runs the services."""
    (tmp_path / "coalesced_app.py").write_text(APP)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "coalesced_app:create_app", "--app-dir", str(tmp_path),
         "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
         "--http", "habitat_common.web.http_protocol:CoalescingHttpToolsProtocol"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(url + "/me", timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(process.stderr.read().decode()) from None
            time.sleep(0.1)
    try:
        yield url, port
    finally:
        process.terminate()
        process.wait(10)


class TestUnderUvicorn:
    def test_responses_arrive_whole_on_a_kept_connection(self, server) -> None:
        _, port = server
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            for _ in range(2):  # the second request on the same connection
                conn.sendall(b"GET /me HTTP/1.1\r\nHost: t\r\n\r\n")
                time.sleep(0.2)  # the answer is all in by then
                answer = conn.recv(65536, socket.MSG_DONTWAIT)
                head, _, body = answer.partition(b"\r\n\r\n")
                assert head.startswith(b"HTTP/1.1 200")
                assert body == '{"name":"Łucja"}'.encode()
                assert f"content-length: {len(body)}".encode() in head.lower()

    def test_a_response_closing_its_connection_is_sent_whole_before_the_close(self, server) -> None:
        # uvicorn closes in the same turn of the loop it wrote the answer in: what waits must leave first
        _, port = server
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(b"GET /me HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            received = b""
            while chunk := conn.recv(65536):
                received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200") and b"connection: close" in head.lower()
        assert body == '{"name":"Łucja"}'.encode()

    def test_a_streamed_body_arrives_intact(self, server) -> None:
        url, _ = server
        with httpx.Client(base_url=url, timeout=10) as client:
            for _ in range(2):
                response = client.get("/export")
                assert response.status_code == 200
                lines = response.text.splitlines()
                assert lines[0] == "0,row 0" and lines[-1] == "19999,row 19999" and len(lines) == 20_000
            assert client.head("/me").status_code == 405
