"""`habitat export`: K-1 data for a tax year, issuing a year's K-1s, and the plain-text journal for the accountant."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from habitat_cli.client import CliError, signed_in
from habitat_cli.credentials import write_private
from habitat_cli.output import JsonFlag, fail_lines, handles_errors, note, print_json, table

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


@app.command("k1-issue")
@handles_errors
def k1_issue(year: Annotated[int, typer.Argument(help="Tax year to issue")], as_json: JsonFlag = False) -> None:
    """Issue a tax year's K-1s, once: tie-checked, each member's endings kept as next year's beginning, the year locked."""
    with signed_in() as client:
        try:
            issued = client.json("POST", f"/exports/k1/{year}/issue")
        except CliError as error:
            fail_lines(refusal_lines(error))
    if as_json:
        print_json(issued)
        return
    note(f"K-1s for {issued['year']} issued at {issued['issued_at']} for {issued['members']} member(s);"
         f" nothing may post on or before {issued['year']}-12-31 now.")
    columns = ("member_id", "tax_ending", "book_ending", "section_704c_gain_ending")
    table(None, columns, ([ending[c] for c in columns] for ending in issued["endings"]))


def refusal_lines(error: CliError) -> list[str]:
    """The API's sentence, then what it carries: each difference that does not tie, or what was issued."""
    body = error.body if isinstance(error.body, dict) else {}
    lines = [error.message]
    for d in body.get("differences") or []:
        who = f"member {d['member_id']}" if d.get("member_id") else "all members"
        lines.append(f"  {d['check']}: {who}, {d['basis']}: expected {d['expected']}, computed {d['computed']}"
                     f" (difference {d['difference']})")
    if issued := body.get("issued"):
        lines.append(f"  issued at {issued['issued_at']} by {issued['issued_by']} for {issued['members']} member(s)")
    return lines


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


