"""tools/run_tests.py decides when a suite failed: under CI a suite that collects nothing or skips
every test fails (a green run must mean tests ran); locally both are tolerated."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("habitat_run_tests", ROOT / "tools" / "run_tests.py")
run_tests = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = run_tests  # its dataclasses look their module up there
_spec.loader.exec_module(run_tests)


@pytest.mark.parametrize("ci", [False, True])
def test_a_suite_that_ran_and_passed_passes(ci: bool) -> None:
    assert not run_tests.suite_failed(0, tests=10, failures=0, errors=0, skipped=3, ci=ci)


@pytest.mark.parametrize("ci", [False, True])
def test_failures_errors_and_other_exit_codes_fail(ci: bool) -> None:
    assert run_tests.suite_failed(1, tests=10, failures=1, errors=0, skipped=0, ci=ci)
    assert run_tests.suite_failed(1, tests=10, failures=0, errors=1, skipped=0, ci=ci)
    assert run_tests.suite_failed(2, tests=0, failures=0, errors=0, skipped=0, ci=ci)  # interrupted
    assert run_tests.suite_failed(4, tests=0, failures=0, errors=0, skipped=0, ci=ci)  # usage error


def test_no_tests_collected_is_tolerated_locally_and_fails_under_ci() -> None:
    assert not run_tests.suite_failed(5, tests=0, failures=0, errors=0, skipped=0, ci=False)
    assert run_tests.suite_failed(5, tests=0, failures=0, errors=0, skipped=0, ci=True)


def test_a_suite_that_skipped_everything_fails_under_ci_only() -> None:
    assert not run_tests.suite_failed(0, tests=7, failures=0, errors=0, skipped=7, ci=False)
    assert run_tests.suite_failed(0, tests=7, failures=0, errors=0, skipped=7, ci=True)


def test_skip_reasons_are_printed() -> None:
    assert '"-rs"' in (ROOT / "tools" / "run_tests.py").read_text()


def _pytest_config_for(suite: Path) -> dict:
    """The [tool.pytest.ini_options] pytest picks for a suite: the nearest pyproject.toml that has one."""
    for folder in [suite, *suite.parents]:
        pyproject = folder / "pyproject.toml"
        if pyproject.exists():
            options = tomllib.loads(pyproject.read_text()).get("tool", {}).get("pytest", {}).get("ini_options")
            if options is not None:
                return options
    raise AssertionError(f"no pytest config for {suite}")


@pytest.mark.parametrize(
    "suite", sorted(set(run_tests.ALL) | {s for group in run_tests.SUITES.values() for s in group})
)
def test_every_suite_has_a_timeout(suite: str) -> None:
    """A deadlock must fail the suite, not hang CI: every suite's own pytest config sets `timeout`."""
    options = _pytest_config_for(ROOT / suite)
    assert int(options.get("timeout", 0)) > 0


def test_the_e2e_split_runs_every_module_exactly_once() -> None:
    shared, own = run_tests.e2e_split()
    modules = sorted(f"tests/e2e/{p.name}" for p in (ROOT / "tests" / "e2e").glob("test_*.py"))
    assert sorted(shared + own) == modules
    assert not set(shared) & set(own)


def test_every_module_named_as_starting_its_own_stack_exists() -> None:
    """A renamed drill must not silently move into the shared-stack suite's list of names."""
    for module in run_tests.E2E_OWN_STACKS:
        assert (ROOT / "tests" / "e2e" / module).exists(), module


def test_all_expands_to_suites_that_cover_every_configured_path() -> None:
    paths = [path for suite in run_tests._suites(run_tests.ALL) for path in suite.paths]
    assert len(paths) == len(set(paths))
    assert {p for p in paths if not p.startswith("tests/e2e/")} == set(run_tests.ALL) - {"tests/e2e"}


@pytest.mark.parametrize(("configured", "expected"), [("1", 1), ("3", 3), ("0", 1)])
def test_lanes_follow_the_setting(configured: str, expected: int, monkeypatch) -> None:
    monkeypatch.setenv("HABITAT_TEST_LANES", configured)
    assert run_tests.lanes() == expected
