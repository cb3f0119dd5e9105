"""A PostgreSQL cluster of a test's own, for tests that stop, restart or break the database (never the shared
one): initdb in a temporary directory, loopback and a private socket directory only."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from habitat_common.ports import free_port


class PrivateCluster:
    """A PostgreSQL cluster of a test's own (initdb in a temp dir, loopback and a private socket dir only),
    for tests that stop or restart the database; never the shared one."""

    def __init__(self, bindir: str, datadir: str, port: int, run_as: list[str]) -> None:
        self.bindir, self.datadir, self.port, self._run_as = bindir, datadir, port, run_as
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [*self._run_as, f"{self.bindir}/pg_ctl", "-D", self.datadir, "-o", options, "-w", "-t", "30", *args],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    def start(self) -> None:
        self._pg_ctl("-l", f"{self.datadir}/server.log", "start")

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "stop")

    def restart(self) -> None:
        self._pg_ctl("-l", f"{self.datadir}/server.log", "-m", "fast", "restart")


def _postgres_bindir() -> str | None:
    candidates = [os.environ.get("HABITAT_TEST_PG_BIN", "")]
    if found := shutil.which("initdb"):
        candidates.append(os.path.dirname(found))
    candidates += sorted(
        (f"/usr/lib/postgresql/{v}/bin" for v in os.listdir("/usr/lib/postgresql")) if os.path.isdir("/usr/lib/postgresql") else (),
        reverse=True,
    )  # fmt: skip
    return next((c for c in candidates if c and os.path.exists(f"{c}/initdb")), None)


@contextmanager
def private_postgres_cluster() -> Iterator[PrivateCluster]:
    """Start a private cluster on a free loopback port; stop it and remove its directory afterwards.
    Skips the test where no PostgreSQL binaries are installed (initdb refuses root: then runs as postgres)."""
    import pwd
    import tempfile

    import pytest

    bindir = _postgres_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (initdb) on this machine")
    run_as: list[str] = []
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a postgres user: initdb refuses root")
        run_as = ["runuser", "-u", "postgres", "--"]
    tmp = tempfile.mkdtemp(prefix="habitat_pg_")
    datadir = os.path.join(tmp, "data")
    port = free_port()  # below the ephemeral range: no outgoing connection takes it before the cluster listens
    if run_as:
        shutil.chown(tmp, user="postgres")
    cluster = PrivateCluster(bindir, datadir, port, run_as)
    try:
        subprocess.run(
            [*run_as, f"{bindir}/initdb", "-D", datadir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        cluster.start()
        yield cluster
    finally:
        try:
            if os.path.exists(f"{datadir}/postmaster.pid"):
                subprocess.run(
                    [*run_as, f"{bindir}/pg_ctl", "-D", datadir, "-m", "immediate", "-w", "-t", "30", "stop"],
                    check=False, capture_output=True, timeout=60,
                )  # fmt: skip
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
