"""Ports for the processes that stacks and tests start side by side on one machine (servers, private clusters).

A port the kernel hands out for bind(("127.0.0.1", 0)) comes from its ephemeral range, the range it also takes
the local port of every outgoing connection from: between choosing the port and the process that listens on it
starting, a connection (to PostgreSQL, RabbitMQ, a pooled upstream kept open by Caddy) could take it, and the
listener failed with "address already in use". Ports are therefore chosen below that range, where no outgoing
connection lands, checked free, and claimed for the choosing process by a file naming it, so two stacks started
at once by different processes never get the same one. A claim lapses when its process has exited."""

from __future__ import annotations

import contextlib
import os
import random
import socket
import tempfile
from pathlib import Path

CLAIMS = Path(tempfile.gettempdir()) / "habitat-ports"
LOWEST = 20_000  # below: well-known and registered services' ports (PostgreSQL, RabbitMQ, Prometheus...)


def ephemeral_range() -> tuple[int, int]:
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
        return low, high
    except (OSError, ValueError):
        return 32_768, 60_999  # Linux's default


def free_port() -> int:
    """A port no process listens on, outside the ephemeral range, claimed for this process."""
    low, _ = ephemeral_range()
    candidates = range(LOWEST, low) if low - LOWEST >= 1_000 else range(0)
    for port in random.sample(candidates, min(2_000, len(candidates))):
        if _bindable(port) and _claim(port):
            return port
    # an ephemeral range reaching down below LOWEST: the kernel's choice, as before
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("", port))  # every address: Caddy listens on all of them
        except OSError:
            return False
    return True


def _claim(port: int) -> bool:
    CLAIMS.mkdir(exist_ok=True)
    path = CLAIMS / str(port)
    for _ in range(2):
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if _claimant_alive(path):
                return False
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            continue
        with os.fdopen(descriptor, "w") as claim:
            claim.write(str(os.getpid()))
        return True
    return False


def _claimant_alive(path: Path) -> bool:
    try:
        pid = int(path.read_text() or "0")
    except (OSError, ValueError):
        return False  # being written this instant, or garbage: the O_EXCL retry settles it
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        pass
    return True
