"""The operator's guide names only commands that exist, with options they accept, each run by a test.

deploy/DEPLOYMENT.md (and the Kubernetes guide) is what an operator follows at 3 a.m.; a renamed option
or script there is an outage. Every script, option, `habitat` subcommand, `python -m` module, compose
service and make target quoted in the guides is checked against the real thing, and every deploy script
must be driven by a test that the guide names.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GUIDES = [ROOT / "deploy/DEPLOYMENT.md", ROOT / "deploy/k8s/README.md"]
HABITAT = ROOT / ".venv/bin/habitat"


def code_of(guide: Path) -> str:
    """Fenced shell blocks and inline code spans, joined: everything an operator would type."""
    text = guide.read_text()
    blocks = re.findall(r"```(?:sh|bash|cron)?\n(.*?)```", text, flags=re.S)
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    spans = re.findall(r"`([^`\n]+)`", prose)
    return "\n".join(blocks + spans).replace("\\\n", " ")


def commands(guide: Path) -> list[str]:
    """Each command line (split at pipes, `&&`, `;`, `||`), comments dropped."""
    found = []
    for line in code_of(guide).splitlines():
        line = line.split(" #", 1)[0].strip()
        for part in re.split(r"\s*(?:\|\||&&|\||;)\s*", line):
            if part:
                found.append(part)
    return found


def words(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


ALL_COMMANDS = [(guide.name, command) for guide in GUIDES for command in commands(guide)]


def script_invocations() -> list[tuple[str, list[str]]]:
    found = []
    for _, command in ALL_COMMANDS:
        tokens = words(command)
        for index, token in enumerate(tokens):
            if re.fullmatch(r"deploy/[\w/.-]+\.sh", token):
                found.append((token, tokens[index + 1:]))
    return found


@cache
def help_text(script: str) -> str:
    result = subprocess.run(
        [str(ROOT / script), "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, f"{script} --help exited {result.returncode}: {result.stderr}"
    return result.stdout + result.stderr


def test_the_guides_quote_commands() -> None:
    scripts = {script for script, _ in script_invocations()}
    assert {"deploy/setup.sh", "deploy/backup.sh", "deploy/restore.sh", "deploy/smoke-test.sh",
            "deploy/upgrade.sh", "deploy/rollback.sh", "deploy/k8s/apply.sh"} <= scripts


@pytest.mark.parametrize("script,arguments", script_invocations(), ids=lambda v: v if isinstance(v, str) else "")
def test_each_script_exists_and_takes_the_options_shown(script: str, arguments: list[str]) -> None:
    path = ROOT / script
    assert path.is_file() and os.access(path, os.X_OK), f"{script} is quoted in the guide but is not an executable"
    options = [a.split("=", 1)[0] for a in arguments if re.fullmatch(r"--[a-z][\w-]*(=.*)?", a)]
    usage = help_text(script)
    for option in options:
        assert option in usage, f"the guide runs `{script} {option}`, which its --help does not offer"


def habitat_subcommands() -> set[tuple[str, ...]]:
    found = set()
    for _, command in ALL_COMMANDS:
        tokens = words(command)
        for index, token in enumerate(tokens):
            if token in ("habitat", ".venv/bin/habitat") and index + 1 < len(tokens):
                rest = [t for t in tokens[index + 1:] if re.fullmatch(r"[a-z][a-z-]*", t)]
                if rest and (index == 0 or not tokens[index - 1].startswith("-")):  # `-n habitat`: a namespace
                    found.add(tuple(rest[:2]))
    return found


@pytest.mark.parametrize("words_", sorted(habitat_subcommands()), ids=" ".join)
def test_each_habitat_command_exists(words_: tuple[str, ...]) -> None:
    for depth in (len(words_), 1):
        result = subprocess.run([str(HABITAT), *words_[:depth], "--help"], capture_output=True, text=True, timeout=60)
        if result.returncode == 0:
            return
    pytest.fail(f"`habitat {' '.join(words_)}` is in the guide but the CLI has no such command: {result.stderr[-300:]}")


def python_modules() -> set[str]:
    return {m for _, command in ALL_COMMANDS for m in re.findall(r"python3? -m ([\w.]+)", command)}


@pytest.mark.parametrize("module", sorted(python_modules()))
def test_each_python_module_exists(module: str) -> None:
    assert importlib.util.find_spec(module) is not None, f"`python -m {module}` is in the guide but does not import"


def compose_services() -> set[str]:
    return set(yaml.safe_load((ROOT / "docker-compose.prod.yml").read_text())["services"])


DC_VERBS_WITH_SERVICES = {"logs", "ps", "up", "stop", "restart", "exec", "run", "build", "pull"}


def dc_service_mentions() -> list[tuple[str, str]]:
    found = []
    for _, command in ALL_COMMANDS:
        tokens = words(command)
        if not tokens or tokens[0] != "dc" or len(tokens) < 2 or tokens[1] not in DC_VERBS_WITH_SERVICES:
            continue
        for token in tokens[2:]:
            if token.startswith("-") or not re.fullmatch(r"[a-z][a-z-]*", token):
                continue
            if tokens[1] in ("exec", "run") and found and found[-1][0] == command:
                break  # the rest is the command run inside the container
            found.append((command, token))
    return found


@pytest.mark.parametrize("command,service", dc_service_mentions(), ids=lambda v: v if " " not in v else "")
def test_each_compose_service_named_exists(command: str, service: str) -> None:
    if "<" in command:
        return
    assert service in compose_services() | {"tail", "since", "f"}, f"`{command}` names {service}, not in the compose file"


def make_targets() -> set[str]:
    return {t for guide in GUIDES for t in re.findall(r"\bmake ([a-z][\w-]*)", code_of(guide))}


@pytest.mark.parametrize("target", sorted(make_targets()))
def test_each_make_target_exists(target: str) -> None:
    assert re.search(rf"^{re.escape(target)}:", (ROOT / "Makefile").read_text(), flags=re.M), f"make {target}"


def exercised_by() -> list[tuple[str, tuple[str, ...]]]:
    """(script, the tests its row of the guide's "exercised by" table names)."""
    table = (ROOT / "deploy/DEPLOYMENT.md").read_text().split("| what | exercised by |", 1)[1].split("\n\n", 1)[0]
    rows = []
    for line in table.splitlines()[2:]:
        what, tests = line.strip("|").split("|")
        named = tuple(re.findall(r"`((?:tests|services|libs|tools)/[\w/.-]+\.py)`", tests))
        rows.extend((script, named) for script in re.findall(r"`(deploy/[\w/.-]+\.sh)`", what))
    return rows


def test_every_deploy_script_is_in_the_exercised_by_table() -> None:
    listed = {script for script, _ in exercised_by()}
    scripts = {str(p.relative_to(ROOT)) for p in (ROOT / "deploy").rglob("*.sh") if os.access(p, os.X_OK)}  # not libraries
    assert scripts <= listed, f"deploy scripts without a test named in the guide: {sorted(scripts - listed)}"


@pytest.mark.parametrize("script,tests", exercised_by(), ids=lambda v: v if isinstance(v, str) else "")
def test_a_named_test_runs_the_script(script: str, tests: tuple[str, ...]) -> None:
    assert tests, f"no test named for {script}"
    for test in tests:
        assert (ROOT / test).is_file(), f"{test} does not exist"
    assert any(Path(script).name in (ROOT / test).read_text() for test in tests), f"none of {tests} runs {script}"


@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: g.name)
def test_relative_links_resolve(guide: Path) -> None:
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", guide.read_text()):
        assert (guide.parent / target).exists(), f"{guide.name} links to missing {target}"
