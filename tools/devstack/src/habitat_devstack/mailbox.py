"""A local SMTP server for development and tests: accepts every message and keeps each as an .eml file.

    python -m habitat_devstack.mailbox --port 8025 --dir .local/mail

Nothing is relayed anywhere. Each message is written as received (with Unix line ends), the envelope in
front of it (X-Peer, X-MailFrom, X-RcptTo, as aiosmtpd's own Message handler does), under a sortable name
(<UTC time>-<random>.eml), and one line is printed per mail: time, recipients, subject, file.
Tests run it in-process: `with running_mailbox(directory) as mailbox: ... mailbox.wait_for(address)`.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import secrets
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

DEFAULT_DIRECTORY = Path(".local") / "mail"
DEFAULT_PORT = 8025


def parse(raw: bytes) -> EmailMessage:
    """A stored or received message as an EmailMessage (headers decoded, e.g. an RFC 2047 subject)."""
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def recipients(message: EmailMessage) -> list[str]:
    """The envelope recipients a stored message was delivered to (its X-RcptTo header)."""
    return [a.strip() for a in str(message.get("X-RcptTo", "")).split(",") if a.strip()]


def plain_text(message: EmailMessage) -> str:
    """The text/plain body of a message (of its alternative parts, the plain one)."""
    body = message.get_body(preferencelist=("plain",))
    if body is None:
        raise ValueError(f"message {message.get('Subject')!r} has no text/plain part")
    return body.get_content()


def summary(when: datetime, to: list[str], subject: str, path: Path) -> str:
    """The line printed for each mail."""
    return f"{when:%H:%M:%S} mail to {', '.join(to)}: {subject!r} -> {path}"


class EmlWriter:
    """aiosmtpd handler: every message is accepted and written, whole, to its own file."""

    def __init__(self, directory: Path, log: Callable[[str], None]) -> None:
        self.directory = directory
        self.log = log
        self.refusal: str | None = None  # set (tests: Mailbox.refusing): every message is answered with it

    async def handle_DATA(self, server, session, envelope) -> str:
        """Write the message (envelope first) atomically, so a reader never sees half of it."""
        if self.refusal:
            return self.refusal
        when = datetime.now(UTC)
        envelope_headers = (
            f"X-Peer: {session.peer[0]}\n"
            f"X-MailFrom: {envelope.mail_from}\n"
            f"X-RcptTo: {', '.join(envelope.rcpt_tos)}\n"
        ).encode()
        # Unix line ends, as a local mail file has them: SMTP's CRLF would stay in every decoded body
        raw = envelope_headers + envelope.original_content.replace(b"\r\n", b"\n")
        path = self.directory / f"{when:%Y%m%dT%H%M%S.%fZ}-{secrets.token_hex(4)}.eml"
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(raw)
        os.replace(partial, path)
        self.log(summary(when, envelope.rcpt_tos, str(parse(raw).get("Subject", "")), path))
        return "250 Message accepted for delivery"


class _Controller(Controller):
    def _trigger_server(self) -> None:
        # port 0 asks the OS for a free port: learn which before aiosmtpd dials itself to finish starting
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass(frozen=True)
class Mailbox:
    """A running local SMTP server: where it listens and where its mail lands."""

    host: str
    port: int
    directory: Path
    writer: EmlWriter | None = field(default=None, repr=False, compare=False)

    def files(self) -> list[Path]:
        """Every stored mail, oldest first."""
        return sorted(self.directory.glob("*.eml"))

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        """Every stored mail (or those delivered to `to`, case-insensitively), oldest first."""
        found = [parse(path.read_bytes()) for path in self.files()]
        if to is None:
            return found
        return [m for m in found if to.lower() in (r.lower() for r in recipients(m))]

    def wait_for(self, to: str, *, timeout: float = 10.0, count: int = 1, interval: float = 0.05) -> EmailMessage:
        """Wait until `count` mails to `to` have arrived and return the count-th (the first by default)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages(to)
            if len(found) >= count:
                return found[count - 1]
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} mail(s) to {to} in {self.directory} after {timeout}s, expected {count}")
            time.sleep(interval)

    @contextmanager
    def refusing(self, reply: str = "451 4.3.0 Mailbox refusing mail for now") -> Iterator[None]:
        """While the block runs, every message is refused with `reply` (a 4xx: try again later), as a failing
        server would; nothing is stored. Only for a mailbox started by running_mailbox."""
        if self.writer is None:
            raise RuntimeError("only a mailbox started by running_mailbox can refuse mail")
        self.writer.refusal = reply
        try:
            yield
        finally:
            self.writer.refusal = None


def _print(line: str) -> None:
    print(line, flush=True)


@contextmanager
def running_mailbox(
    directory: Path = DEFAULT_DIRECTORY, *, host: str = "127.0.0.1", port: int = 0,
    log: Callable[[str], None] = _print,
) -> Iterator[Mailbox]:
    """An SMTP server on host:port (0: any free port) in a background thread, until the block ends."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    # enable_SMTPUTF8: a sender may use non-ASCII addresses, as a member's address may be
    writer = EmlWriter(directory, log)
    controller = _Controller(writer, hostname=host, port=port, enable_SMTPUTF8=True)
    controller.start()
    try:
        yield Mailbox(host, controller.port, directory, writer)
    finally:
        controller.stop()


def main(argv: list[str] | None = None) -> None:
    """Run the server until Ctrl-C (or SIGTERM)."""
    parser = argparse.ArgumentParser(prog="python -m habitat_devstack.mailbox", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0: any free port")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIRECTORY, help=f"where mails land (default {DEFAULT_DIRECTORY})")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with running_mailbox(args.dir, host=args.host, port=args.port) as mailbox:
        print(f"mailbox: smtp://{mailbox.host}:{mailbox.port}, mail lands in {mailbox.directory}/", flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
