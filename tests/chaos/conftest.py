"""The fault suite: a real stack per module, a fault per recipe, the Jepsen-style table at the end.

`make chaos` sets HABITAT_CHAOS_FULL=1: every recipe, 1,000 approvals across 100 members, and the table is
kept in docs/reliability.md. Without it (make test) only the recipes marked `fast` run, on 100 approvals.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.e2e.conftest import Habitat, started_habitat

from .harness import FULL, RESULTS, table
from .infra import private_rabbit

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "reliability.md"
TABLE_START, TABLE_END = "<!-- fault-suite-table:start -->", "<!-- fault-suite-table:end -->"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fast: a fault recipe small enough for make test")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:  # a recipe starts stacks and private instances and waits for quiescence
        item.add_marker(pytest.mark.timeout(1800 if FULL else 900))
    if FULL:
        return
    slow = [item for item in items if item.get_closest_marker("fast") is None]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if item.get_closest_marker("fast") is not None]


def pytest_terminal_summary(terminalreporter) -> None:
    if not RESULTS:
        return
    terminalreporter.write_sep("=", "fault suite (Jepsen-style counts)")
    terminalreporter.write_line(table(RESULTS))
    if FULL and os.environ.get("HABITAT_CHAOS_KEEP_TABLE") == "1" and DOC.exists():
        text = DOC.read_text()
        if TABLE_START in text and TABLE_END in text:
            fresh = f"{TABLE_START}\n{table(RESULTS)}\n{TABLE_END}"
            DOC.write_text(re.sub(re.escape(TABLE_START) + ".*?" + re.escape(TABLE_END), lambda _: fresh, text, flags=re.DOTALL))
            terminalreporter.write_line(f"table kept in {DOC}")


@contextmanager
def chaos_habitat(*, pg_admin_url: str | None = None, rabbit=None, prefix: str = "habitat_chaos") -> Iterator[Habitat]:
    """started_habitat() on the shared instances, or on a private PostgreSQL cluster (pg_admin_url) and/or a
    private RabbitMQ node (rabbit: rabbitmqctl then addresses that node, through RABBITMQ_NODENAME)."""
    overrides = {}
    if pg_admin_url:
        overrides["HABITAT_TEST_PG_ADMIN_URL"] = pg_admin_url
    if rabbit is not None:
        overrides |= {"HABITAT_TEST_AMQP_URL": rabbit.amqp_url, "RABBITMQ_NODENAME": rabbit.node}
    saved = {key: os.environ.get(key) for key in overrides}
    os.environ.update(overrides)
    try:
        with started_habitat(prefix) as habitat:
            yield habitat
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def shared_habitat() -> Iterator[Habitat]:
    """One stack for the recipes that break only our own processes (each restores what it broke): on the shared PostgreSQL and a
    RabbitMQ node of its own (vhost creation on the shared node can stall for minutes while other suites load
    it, and a chaos run should not add to that)."""
    with private_rabbit() as rabbit, chaos_habitat(rabbit=rabbit) as habitat:
        yield habitat
