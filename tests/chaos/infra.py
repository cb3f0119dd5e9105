"""Private infrastructure for destructive recipes: a second RabbitMQ node of the test's own and a small TCP
proxy that adds latency, swallows traffic (blackhole) or resets connections. Loopback only; the shared
broker (rabbit@localhost, 5672) and PostgreSQL (5432) are never touched."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from habitat_common.ports import free_port

SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
# The node sizes its file handle budget from the soft open-files limit: at the usual 1,024 a vhost of Habitat's
# ~130 quorum queues reserves it all and the node stops accepting AMQP connections (they hang, unrefused).
# Debian's rabbitmq-server wrapper switches to the rabbitmq user through su, which resets the limit, so as root
# the switch is made here with the limit raised inside it (as deploy/lib/prerequisites.sh does for the shared node).
RAISED_LIMIT = '{ ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; }'


def server_command() -> list[str]:
    if os.geteuid() == 0 and os.path.exists(SERVER):
        script = f"cd /var/lib/rabbitmq && {RAISED_LIMIT} && exec {SERVER} -detached"
        return ["su", "rabbitmq", "-s", "/bin/sh", "-c", script]
    return ["sh", "-c", f"{RAISED_LIMIT} && exec rabbitmq-server -detached"]


class PrivateRabbit:
    """A RabbitMQ node started with rabbitmq-server -detached under its own name, ports and directories."""

    def __init__(self, tmp: str) -> None:
        self.node = f"chaos-{os.getpid()}-{os.urandom(2).hex()}@localhost"
        self.port, self.dist_port = free_port(), free_port()
        self.tmp = tmp
        self.amqp_url = f"amqp://guest:guest@127.0.0.1:{self.port}/"
        self.env = {
            **os.environ,
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": f"{tmp}/mnesia",
            "RABBITMQ_LOG_BASE": f"{tmp}/log",
            "RABBITMQ_ENABLED_PLUGINS_FILE": f"{tmp}/enabled_plugins",
            # its own config file: the machine's names the shared node's listener (5672), which the
            # environment's RABBITMQ_NODE_PORT does not override
            "RABBITMQ_CONFIG_FILE": f"{tmp}/rabbitmq.conf",
        }
        with open(f"{tmp}/rabbitmq.conf", "w") as f:
            f.write(f"listeners.tcp.local = 127.0.0.1:{self.port}\n")

    def ctl(self, *args: str, timeout: float = 90.0, check: bool = True) -> subprocess.CompletedProcess:
        """rabbitmqctl against this node only (-n names it explicitly)."""
        return subprocess.run(
            [shutil.which("rabbitmqctl") or "rabbitmqctl", "-n", self.node, *args],
            env=self.env, capture_output=True, text=True, timeout=timeout, check=check,
        )

    def start(self) -> None:
        subprocess.run(server_command(), env=self.env, check=True, capture_output=True, timeout=60)
        self.wait_accepting()

    def wait_accepting(self, timeout: float = 90.0) -> None:
        """Until the rabbit application runs and the AMQP port accepts connections."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ctl("await_startup", "--timeout", "10", check=False, timeout=30).returncode == 0:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
                    return
                except OSError:
                    pass
            time.sleep(0.5)
        raise RuntimeError(f"private RabbitMQ node {self.node} not up after {timeout}s; see {self.tmp}/log")

    def stop_app(self) -> None:
        self.ctl("stop_app")

    def start_app(self) -> None:
        self.ctl("start_app")
        self.wait_accepting()

    def stop(self) -> None:
        self.ctl("stop", check=False)


@contextmanager
def private_rabbit() -> Iterator[PrivateRabbit]:
    """Start a private node; stop it and remove its directories afterwards, whatever happened."""
    if not shutil.which("rabbitmq-server"):
        import pytest

        pytest.skip("no rabbitmq-server on this machine")
    tmp = tempfile.mkdtemp(prefix="habitat_chaos_rmq_")
    with open(f"{tmp}/enabled_plugins", "w") as f:
        f.write("[].\n")
    rabbit = PrivateRabbit(tmp)
    if os.geteuid() == 0:  # the server script runs the node as the rabbitmq user
        for root, dirs, files in os.walk(tmp):
            for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
                shutil.chown(name, user="rabbitmq", group="rabbitmq")
    try:
        if rabbit.port == 5672:
            raise RuntimeError("refusing to start a private node on the shared broker's port")
        rabbit.start()
        yield rabbit
    finally:
        try:
            rabbit.stop()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class FaultyProxy:
    """A TCP proxy on 127.0.0.1 in its own thread and event loop. mode: "pass", "latency" (each chunk held
    latency seconds), "blackhole" (connections stay open, nothing is forwarded), "reset" (every open and new
    connection is reset with RST)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.mode = "pass"
        self.latency = 0.0
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._accept, "127.0.0.1", self.port))
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def set(self, mode: str, latency: float = 0.0) -> None:
        self.mode, self.latency = mode, latency
        if mode == "reset":
            self._loop.call_soon_threadsafe(self._reset_all)

    def _reset_all(self) -> None:
        for writer in list(self._writers):
            _reset(writer)
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode == "reset":
            _reset(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            _reset(writer)
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True)
        for w in (writer, up_writer):
            self._writers.discard(w)
            w.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            while self.mode == "blackhole":
                await asyncio.sleep(0.05)
            if self.mode == "latency":
                await asyncio.sleep(self.latency)
            if self.mode == "reset":
                return
            writer.write(data)
            await writer.drain()
        writer.close()

    def close(self) -> None:
        def shutdown() -> None:
            self._reset_all()
            self._server.close()
            self._loop.stop()

        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(shutdown)
            self._thread.join(10)


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:  # linger 0: close sends RST instead of FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


@contextmanager
def faulty_proxy(target_port: int) -> Iterator[FaultyProxy]:
    proxy = FaultyProxy(target_port)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()
