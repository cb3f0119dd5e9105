"""A throw-away Habitat stack for benchmarks: temporary database and vhost, real processes, Caddy."""

from __future__ import annotations

import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from autovacuum import emulated_autovacuum
from habitat_common.testing import temporary_database, temporary_vhost
from habitat_devstack.mailbox import running_mailbox
from habitat_devstack.stack import ROOT, Stack, StackConfig, free_ports, migrate


@dataclass
class Running:
    config: StackConfig
    stack: Stack
    admin: tuple[str, str]


@contextmanager
def running_stack(prefix: str, workers: dict[str, int] | None = None) -> Iterator[Running]:
    with temporary_database(prefix) as database_url, temporary_vhost(prefix) as amqp_url:
        config = StackConfig(database_url=database_url, amqp_url=amqp_url, ports=free_ports(),
                             log_dir=Path(tempfile.mkdtemp(prefix=f"{prefix}-")), workers=workers or {})
        migrate(config)
        admin = ("root@bench.coop", "zq-" + secrets.token_urlsafe(16))
        subprocess.run([sys.executable, "-m", "habitat_identity.cli", "ensure-admin", "--email", admin[0],
                        "--password-stdin", "--no-password-change", "--display-name", "Bench Admin"],
                       input=admin[1], text=True, env=config.env(), check=True, cwd=ROOT, capture_output=True)
        stack = Stack(config)
        # mail is delivered, as in production: with nothing listening, every mail failed and was retried
        # eight times, and the notifications worker's figures were those of a broken relay
        # and autovacuum analyzes what changed, as on a production server (this machine's has it off)
        with (
            running_mailbox(config.log_dir / "mail", port=config.ports["mailbox"], log=lambda _: None),
            emulated_autovacuum(database_url),
        ):
            try:
                stack.start_all()
                yield Running(config, stack, admin)
            finally:
                stack.stop_all()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
