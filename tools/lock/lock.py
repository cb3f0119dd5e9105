"""`make lock`: pin every third-party Python dependency, with hashes, in requirements.lock and requirements-dev.lock.

The inputs are what the packages declare (each pyproject.toml's dependencies and build requirements) and
requirements-dev.txt; the local packages themselves are installed from the tree with --no-deps, so they are
left out. requirements.lock is what the images need; requirements-dev.lock adds the test and bench tools,
constrained to the same versions, for `make install` and CI. Needs pip-tools (`pip install pip-tools`).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
DEV_REQUIREMENTS = ROOT / "requirements-dev.txt"
NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyprojects() -> list[Path]:
    """libs/*, services/* and tools/* packages (hidden folders such as .venv and .local left out)."""
    return sorted(p for p in ROOT.glob("*/*/pyproject.toml") if not p.relative_to(ROOT).parts[0].startswith("."))


def local_packages() -> set[str]:
    names = set()
    for path in pyprojects():
        project = tomllib.loads(path.read_text()).get("project")
        if project:
            names.add(canonical(project["name"]))
    return names


def runtime_requirements() -> list[str]:
    """Every requirement a package declares (dependencies and build-system requires), local ones left out."""
    local, found = local_packages(), set()
    for path in pyprojects():
        document = tomllib.loads(path.read_text())
        declared = list(document.get("project", {}).get("dependencies", []))
        declared += document.get("build-system", {}).get("requires", [])
        found |= {r.strip() for r in declared if canonical(NAME.match(r).group(1)) not in local}
    return sorted(found, key=str.lower)


def dev_requirements() -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in DEV_REQUIREMENTS.read_text().splitlines())
    return [line for line in lines if line]


def declared_names() -> set[str]:
    """Canonical names of every third-party requirement named anywhere (the lock must pin each)."""
    return {canonical(NAME.match(r).group(1)) for r in runtime_requirements() + dev_requirements()}


def locked(path: Path) -> dict[str, int]:
    """Canonical name -> number of hashes of every pin in a lock file."""
    pins: dict[str, int] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", path.read_text()):
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==\S+", block)
        if match:
            pins[canonical(match.group(1))] = len(re.findall(r"--hash=sha256:[0-9a-f]{64}", block))
    return pins


def problems() -> list[str]:
    """What makes the locks stale: a declared requirement without a hashed pin."""
    found = []
    for lock, names in ((RUNTIME_LOCK, {canonical(NAME.match(r).group(1)) for r in runtime_requirements()}),
                        (DEV_LOCK, declared_names())):
        if not lock.exists():
            found.append(f"{lock.name} is missing")
            continue
        pins = locked(lock)
        found += [f"{name} is not pinned in {lock.name}" for name in sorted(names - set(pins))]
        found += [f"{name} has no hash in {lock.name}" for name in sorted(n for n in names & set(pins) if not pins[n])]
    return found


def compile_lock(requirements: list[str], output: Path, constraint: Path | None, upgrade: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{output.stem}.in"
        lines = ([f"-c {constraint}"] if constraint else []) + requirements
        source.write_text("\n".join(lines) + "\n")
        command = [
            sys.executable, "-m", "piptools", "compile", "--quiet", "--generate-hashes", "--allow-unsafe",
            "--strip-extras", "--no-emit-index-url", "--no-emit-find-links", "--no-emit-trusted-host",
            "--resolver=backtracking", "--output-file", str(output), str(source),
        ]
        if upgrade:
            command.append("--upgrade")
        subprocess.run(command, check=True, cwd=ROOT, env=os.environ | {"CUSTOM_COMPILE_COMMAND": "make lock"})
    # the header names the temporary input; say how to regenerate instead
    text = output.read_text()
    text = re.sub(r"(?m)^(\s+# via .*)/tmp/[^\s]+\.in$", r"\1" + f"{output.stem}.in", text)
    output.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="move every pin to the newest allowed release")
    parser.add_argument("--print-inputs", action="store_true", help="print the collected requirements and exit")
    parser.add_argument("--check", action="store_true", help="exit 1 if a declared requirement is not locked")
    args = parser.parse_args()
    if args.check:
        stale = problems()
        for problem in stale:
            print(f"lock: {problem}", file=sys.stderr)
        if stale:
            print("lock: the lock files are stale: run `make lock` and commit requirements*.lock", file=sys.stderr)
        return 1 if stale else 0
    if args.print_inputs:
        print("\n".join(runtime_requirements() + ["# dev"] + dev_requirements()))
        return 0
    try:
        import piptools  # noqa: F401
    except ImportError:
        print("lock: pip-tools is not installed (pip install pip-tools)", file=sys.stderr)
        return 2
    # keep current pins unless --upgrade: pip-compile reads the existing output file as preferences
    compile_lock(runtime_requirements(), RUNTIME_LOCK, None, args.upgrade)
    compile_lock(runtime_requirements() + dev_requirements(), DEV_LOCK, RUNTIME_LOCK, args.upgrade)
    print(f"lock: wrote {RUNTIME_LOCK.name} and {DEV_LOCK.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
