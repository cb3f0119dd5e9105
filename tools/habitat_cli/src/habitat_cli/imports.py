"""`habitat import …`: members, opening balances and historical contributions from CSV, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from habitat_cli import members
from habitat_cli.client import CliError, signed_in
from habitat_cli.output import (
    JsonFlag,
    fail_with_csv_errors,
    handles_errors,
    out,
    print_json,
    table,
    upload_progress,
)

app = typer.Typer(help="Imports from CSV (UTF-8, header row): all or nothing, safe to re-run.", no_args_is_help=True)
app.command("members", help="Members roster (same as `habitat members onboard`).")(members.onboard)

# What the sample table shows (ids and the file's raw amounts stay in --json): a terminal-wide table per import.
SAMPLE_COLUMNS = {
    "/imports/capital-accounts": ("line", "member_email", "book_balance", "tax_balance", "as_of", "action", "note"),
    "/imports/contributions": (
        "line", "reference", "member_email", "period", "type", "contributed_on", "value", "book_amount",
        "tax_amount", "status", "approver_email", "corrects_reference",
    ),
}  # fmt: skip

CsvFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The CSV file")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Validate and show what would be written; write nothing")]


@app.command("capital-accounts")
@handles_errors
def capital_accounts(file: CsvFile, dry_run: DryRun = False, as_json: JsonFlag = False) -> None:
    """Opening balances: member_email,book_balance,tax_balance,as_of[,note] (amounts may be negative)."""
    def line(summary: dict) -> str:
        return (
            f"{summary['rows']} rows: {summary['created']} created, {summary['updated']} updated, "
            f"{summary['unchanged']} unchanged; book {summary['book_total']}, tax {summary['tax_total']}"
        )

    _import("/imports/capital-accounts", "Opening balances", file, dry_run, as_json, line)


@app.command("contributions")
@handles_errors
def contributions(file: CsvFile, dry_run: DryRun = False, as_json: JsonFlag = False) -> None:
    """Historical contributions (see the README for the columns); approved ones are booked by the ledger."""
    def line(summary: dict) -> str:
        by_status = ", ".join(f"{n} {status}" for status, n in sorted(summary.get("by_status", {}).items()))
        return (
            f"{summary['rows']} rows ({by_status}): {summary['created']} created, {summary['unchanged']} unchanged; "
            f"approved value {summary['approved_value']}"
        )

    _import("/imports/contributions", "Contributions", file, dry_run, as_json, line)


def _import(path: str, title: str, file: Path, dry_run: bool, as_json: bool, line) -> None:
    """Upload, then print the report as JSON or as a sample table and one summary line."""
    report = _upload(path, file, dry_run, as_json)
    if as_json:
        print_json(report)
        return
    print_sample(title, report, SAMPLE_COLUMNS[path])
    out().print(f"{line(report['summary'])} ({mode(report)}).", markup=False)
    if move_id := waiting_move(report):
        out().print(f"Another admin imports it with: habitat money-moves approve {move_id}", markup=False)


def _upload(path: str, file: Path, dry_run: bool, as_json: bool) -> dict[str, Any]:
    size = file.stat().st_size
    with signed_in() as client:
        bar, progress = upload_progress(f"Uploading {file.name}", size, quiet=as_json)
        try:
            with bar:
                sent = client.upload(path, file, params={"dry_run": "true" if dry_run else "false"}, progress=progress)
        except CliError as error:
            fail_with_csv_errors(file, error)
        return sent


def mode(report: dict[str, Any]) -> str:
    """How the summary line ends: a dry run, a run waiting for a second admin, a run that had nothing new to
    write, or the import's id."""
    if report["dry_run"]:
        return "dry run, nothing written"
    if waiting_move(report):
        return "waiting for a second admin's approval, nothing written yet"
    if report.get("import_id") is None:
        return "nothing new to write"
    return f"import {report['import_id']}"


def waiting_move(report: dict[str, Any]) -> str | None:
    """The id of the money move an import waits on (a second admin's approval), if it waits."""
    move = report.get("money_move") or {}
    return move.get("id") if move.get("status") == "requested" else None


def print_sample(title: str, report: dict[str, Any], columns: tuple[str, ...]) -> None:
    """The report's sample rows as a table of the given columns (those the rows have)."""
    sample = report.get("sample") or []
    if sample:
        shown = [c for c in columns if c in sample[0]]
        rows = ([row.get(c) for c in shown] for row in sample)
        table(f"{title}: first {len(sample)} rows ({mode(report)})", shown, rows)

