"""Expand/contract: which Alembic migrations would break the release still running during an upgrade.

deploy/upgrade.sh runs the new release's migrations while the old release serves, so a migration may only
expand the schema (add tables, nullable columns or columns with a server default, indexes, constraints
the old code satisfies). Dropping or renaming a table or column, or making an existing column NOT NULL,
is a contract step: it ships in a later release than the code that stopped using the old shape, and says
so with a module-level `CONTRACT_STEP = "why the running release no longer needs it"` (docs/migrations.md).
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from habitat_devstack.stack import ROOT, SERVICES

DESTRUCTIVE_SQL = (
    (re.compile(r"\bDROP\s+(TABLE|COLUMN|SCHEMA)\b", re.IGNORECASE), "drops a {0}"),
    (re.compile(r"\bRENAME\b", re.IGNORECASE), "renames"),
    (re.compile(r"\bSET\s+NOT\s+NULL\b", re.IGNORECASE), "makes an existing column NOT NULL"),
    (re.compile(r"\bADD\s+(COLUMN\s+)?\w+\s+[^,;]*\bNOT\s+NULL\b(?![^,;]*\bDEFAULT\b)", re.IGNORECASE),
     "adds a NOT NULL column without a default"),
)


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        try:
            shown = self.path.relative_to(ROOT)
        except ValueError:
            shown = self.path
        return f"{shown}:{self.line}: {self.reason} (a contract step: mark it CONTRACT_STEP, see docs/migrations.md)"


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _column_not_null_without_default(node: ast.expr) -> bool:
    """sa.Column(..., nullable=False) with no server_default (a client-side default does not fill old rows)."""
    return (
        isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", None)) == "Column"
        and _is_false(_keyword(node, "nullable"))
        and _keyword(node, "server_default") is None
    )


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def check_source(source: str, path: Path = Path("<migration>")) -> list[Finding]:
    """Every destructive operation in a migration's upgrade(), unless the module is marked CONTRACT_STEP."""
    tree = ast.parse(source, filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "CONTRACT_STEP" for t in node.targets):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str) and node.value.value.strip():
                return []
            return [Finding(path, node.lineno, "CONTRACT_STEP must say why (a non-empty string)")]
    upgrade = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None)
    if upgrade is None:
        return []
    findings = []
    for call in (n for n in ast.walk(upgrade) if isinstance(n, ast.Call)):
        name = getattr(call.func, "attr", None)
        if name in ("drop_table", "drop_column"):
            findings.append(Finding(path, call.lineno, f"op.{name}"))
        elif name == "rename_table":
            findings.append(Finding(path, call.lineno, "op.rename_table"))
        elif name == "alter_column":
            if _keyword(call, "new_column_name") is not None:
                findings.append(Finding(path, call.lineno, "renames a column"))
            if _is_false(_keyword(call, "nullable")):
                findings.append(Finding(path, call.lineno, "makes an existing column NOT NULL"))
        elif name == "add_column" and any(_column_not_null_without_default(a) for a in call.args):
            findings.append(Finding(path, call.lineno, "adds a NOT NULL column without a server_default"))
        elif name == "execute" or (name == "text" and call.args):
            for text in _strings(call):
                for pattern, reason in DESTRUCTIVE_SQL:
                    if match := pattern.search(text):
                        findings.append(Finding(path, call.lineno, "SQL " + reason.format(*(g.lower() for g in match.groups() if g))))
    # one finding per line and reason (op.execute(sa.text(...)) is seen twice)
    return sorted(set(findings), key=lambda f: (f.line, f.reason))


def migrations(root: Path = ROOT) -> dict[str, list[Path]]:
    return {s: sorted((root / "services" / s / "migrations" / "versions").glob("*.py")) for s in SERVICES}


def new_since(release: str, root: Path = ROOT) -> list[Path]:
    """The migrations an upgrade from `release` runs: those its commit does not have."""
    listed = subprocess.run(
        ["git", "-C", str(root), "ls-tree", "-r", "--name-only", release, "--", "services"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    known = set(listed)
    return [p for paths in migrations(root).values() for p in paths if str(p.relative_to(root)) not in known]


def check(paths: list[Path]) -> list[Finding]:
    return [f for path in paths for f in check_source(path.read_text(), path)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m habitat_devstack.migration_safety", description=__doc__.splitlines()[0])
    parser.add_argument("--since", help="only the migrations this git ref does not have (default: every one)")
    args = parser.parse_args(argv)
    paths = new_since(args.since) if args.since else [p for ps in migrations().values() for p in ps]
    findings = check(paths)
    for finding in findings:
        print(finding, file=sys.stderr)
    print(f"{len(paths)} migration(s) checked, {len(findings)} destructive operation(s) outside a contract step")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
