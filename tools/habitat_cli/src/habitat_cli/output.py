"""What the user sees: raw JSON for scripts, rich tables for people, one-line errors on stderr."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from habitat_cli.client import CliError

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the raw JSON answer (for scripts).")]
F = TypeVar("F", bound=Callable[..., Any])


def _console(stream: Any) -> Console:
    # not a terminal (pipes, tests): wide enough that ids and emails are never wrapped
    return Console(file=stream, highlight=False, width=None if stream.isatty() else 200)


def out() -> Console:
    return _console(sys.stdout)


def err() -> Console:
    return _console(sys.stderr)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False) + "\n")


def note(message: str) -> None:
    """A progress or side-effect message; stderr, so --json output on stdout stays parseable."""
    err().print(message, markup=False)


def fail(message: str, code: int = 1) -> NoReturn:
    """One clear line on stderr, then a non-zero exit."""
    sys.stderr.write(" ".join(message.split()) + "\n")
    raise typer.Exit(code)


def fail_lines(lines: list[str], code: int = 1) -> NoReturn:
    """Several problems, one per line on stderr (e.g. FILE:LINE:COLUMN: message), then a non-zero exit."""
    sys.stderr.write("".join(line + "\n" for line in lines))
    raise typer.Exit(code)


def spinner(message: str, quiet: bool = False) -> AbstractContextManager[Any]:
    """A spinner on stderr while the server works; only on a terminal, never in --json mode."""
    console = err()
    return nullcontext() if quiet or not console.is_terminal else console.status(message)


def handles_errors(command: F) -> F:
    """Turn a CliError anywhere below a command into one stderr line and exit 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CliError as error:
            fail(error.message)

    return wrapper  # type: ignore[return-value]


def table(title: str | None, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    grid = Table(title=title, title_justify="left")
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*("" if cell is None else str(cell) for cell in row))
    out().print(grid)


def fail_with_csv_errors(file: Any, error: CliError) -> NoReturn:
    """A rejected file: every problem as FILE:LINE:COLUMN: message (like a compiler), then the pass, exit 1."""
    body = error.body if isinstance(error.body, dict) else {}
    errors = body.get("errors")
    if error.status != 422 or not errors:
        raise error
    lines = [f"{file}:{e['line']}:{e['column']}: {e['message']}" for e in errors]
    total = body.get("error_count", len(errors))
    more = f" ({total - len(errors)} more not listed)" if total > len(errors) else ""
    lines.append(f"{file}: {error.message}{more}")
    fail_lines(lines)


def upload_progress(
    title: str, total: int, quiet: bool = False, console: Console | None = None
) -> tuple[AbstractContextManager[Any], Callable[[int], None]]:
    """A progress bar of bytes sent on stderr (terminals only, never with --json) and its update callback; once
    every byte is sent it says the service is checking and writing (that can take as long as the upload)."""
    console = console or err()
    if quiet or not console.is_terminal:
        return nullcontext(), lambda _sent: None
    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn(),
        console=console, transient=True,
    )
    task = bar.add_task(title, total=total)

    def update(sent: int) -> None:
        if sent >= total:
            bar.update(task, completed=sent, description=f"{title}: sent; checking and writing")
        else:
            bar.update(task, completed=sent)

    return bar, update
