"""deploy/lib/prerequisites.sh (make dev, .ci/run, setup.sh --native): it reports what is there and names
what is missing instead of failing later on a refused connection."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy/lib/prerequisites.sh"


def run(*args: str, path: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    if path is not None:
        env["PATH"] = path
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=120, env=env)


def path_without(tmp_path: Path, *hidden: str) -> str:
    """A PATH with every command of the real one except `hidden` (symlinks in one folder)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            target = folder / name
            if name in hidden or target.exists() or target.is_symlink():
                continue
            target.symlink_to(Path(directory) / name)
    return str(folder)


def test_check_passes_on_a_ready_machine_and_changes_nothing() -> None:
    result = run("--check", "--with-test-tools")
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "PostgreSQL accepting connections" in output and "RabbitMQ running" in output
    assert "0 changed" in output


def test_check_names_what_is_missing_and_exits_1(tmp_path: Path) -> None:
    result = run("--check", path=path_without(tmp_path, "caddy", "hledger"))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "caddy" in output
    assert "hledger" not in output  # a test tool: only asked for with --with-test-tools


def test_an_unknown_option_is_refused_with_a_sentence() -> None:
    result = run("--frobnicate")
    assert result.returncode == 2
    assert "unknown option '--frobnicate'" in result.stderr + result.stdout
