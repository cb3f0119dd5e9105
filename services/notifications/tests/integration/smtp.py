"""An in-process SMTP server (aiosmtpd) on a free loopback port that can be told to refuse."""

from __future__ import annotations

import asyncio
import socket
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ScriptedHandler:
    """Accepts every mail unless told otherwise: `data_answers` are given to the next DATA commands in turn (e.g.
    "451 4.3.0 try later"), `refuse` maps an address to its RCPT answer. `delay` slows each DATA down. `peers`
    holds the client's address at each RCPT: one per connection when they repeat."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.data_answers: deque[str] = deque()
        self.refuse: dict[str, str] = {}
        self.delay = 0.0
        self.peers: list[tuple[str, int]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.peers.append(session.peer)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.data_answers:
            return self.data_answers.popleft()
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if m["To"] == address]


@contextmanager
def smtp_server() -> Iterator[tuple[ScriptedHandler, int]]:
    """A running server and its port; stopped afterwards."""
    handler = ScriptedHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()
