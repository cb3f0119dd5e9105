"""Ports for side-by-side stacks: below the kernel's ephemeral range, free, and claimed per process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from habitat_common import ports
from habitat_devstack.stack import DEV_PORTS, free_ports


@pytest.fixture
def claims(tmp_path, monkeypatch):
    monkeypatch.setattr(ports, "CLAIMS", tmp_path / "claims")
    return tmp_path / "claims"


def test_a_stacks_ports_are_distinct_free_and_outside_the_range_outgoing_connections_use(claims) -> None:
    low, _ = ports.ephemeral_range()
    chosen = free_ports()
    assert set(chosen) == set(DEV_PORTS)
    assert len(set(chosen.values())) == len(chosen)
    assert all(ports.LOWEST <= port < low for port in chosen.values())
    assert sorted(int(p.name) for p in claims.iterdir()) == sorted(chosen.values())
    assert {p.read_text() for p in claims.iterdir()} == {str(os.getpid())}
    for port in chosen.values():
        with socket.socket() as s:
            s.bind(("", port))


def test_a_port_claimed_by_a_live_process_is_not_handed_out_but_a_dead_ones_claim_lapses(claims) -> None:
    claims.mkdir()
    (claims / "20001").write_text("1")  # init: alive as long as the machine
    assert not ports._claim(20001)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    (claims / "20002").write_text(gone.stdout.strip())
    assert ports._claim(20002)
    assert (claims / "20002").read_text() == str(os.getpid())
    assert not ports._claim(20002)  # this process holds it now


def test_a_port_something_listens_on_is_not_free() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert not ports._bindable(listener.getsockname()[1])
