"""`habitat export`: K-1 data for a tax year and the plain-text journal for the accountant."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from habitat_cli.client import signed_in
from habitat_cli.credentials import write_private
from habitat_cli.output import JsonFlag, handles_errors, note, print_json

app = typer.Typer(help="Exports for the accountant.", no_args_is_help=True)
OutOption = Annotated[Path | None, typer.Option("--out", help="Write to this file (mode 0600) instead of stdout")]


class K1Format(str, Enum):
    csv = "csv"
    json = "json"


class Basis(str, Enum):
    book = "book"
    tax = "tax"


@app.command()
@handles_errors
def k1(
    year: Annotated[int, typer.Option(help="Tax year")],
    format: K1Format = K1Format.csv,
    out: OutOption = None,
    as_json: JsonFlag = False,
) -> None:
    """K-1 data for a tax year (refused with 409 when some rows do not tie); --json implies --format json."""
    chosen = K1Format.json if as_json else format
    with signed_in() as client:
        response = client.request("GET", "/exports/k1", params={"year": year, "format": chosen.value})
    _deliver(response.content, out, what=f"K-1 data for {year}")


@app.command()
@handles_errors
def journal(
    basis: Annotated[Basis, typer.Option(help="book (704(b)) or tax")],
    out: OutOption = None,
    as_json: JsonFlag = False,
) -> None:
    """The whole ledger as an hledger journal with balance assertions, one basis per file."""
    with signed_in() as client:
        response = client.request("GET", "/exports/journal", params={"basis": basis.value})
    if as_json:
        if out:
            write_private(out, response.text)
        print_json({"basis": basis.value, "out": str(out) if out else None, "bytes": len(response.content)}
                   | ({} if out else {"journal": response.text}))
        return
    _deliver(response.content, out, what=f"{basis.value} journal")


def _deliver(content: bytes, out: Path | None, what: str) -> None:
    if out is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    write_private(out, content.decode("utf-8"))
    note(f"{what} written to {out} ({len(content)} bytes).")


