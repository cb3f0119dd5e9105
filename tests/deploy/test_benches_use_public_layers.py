"""Benches measure what users and operators get: they drive the public API or a service's use cases (through its
composition root), never an adapter's internals, which a refactor may change without changing behaviour."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BENCHES = sorted((Path(__file__).resolve().parents[2] / "bench").glob("*.py"))


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return found


def test_there_are_benches() -> None:
    assert len(BENCHES) >= 10


@pytest.mark.parametrize("bench", BENCHES, ids=lambda p: p.name)
def test_a_bench_imports_no_adapter(bench: Path) -> None:
    reaching_in = [m for m in imported_modules(bench) if m.startswith("habitat_") and ".adapters" in m]
    assert reaching_in == [], f"{bench.name} imports adapters: {reaching_in}"
