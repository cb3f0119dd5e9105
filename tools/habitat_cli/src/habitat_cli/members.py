"""`habitat members`: list, create, and bulk onboarding from a CSV roster."""

from __future__ import annotations

import csv
import io
import re
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from habitat_common.csv_safe import spreadsheet_row

from habitat_cli.client import CliError, signed_in
from habitat_cli.credentials import write_private
from habitat_cli.output import (
    JsonFlag,
    fail_with_csv_errors,
    handles_errors,
    note,
    out,
    print_json,
    spinner,
    table,
)
from habitat_cli.values import iso_date

app = typer.Typer(help="Members: list, create, onboard from CSV.", no_args_is_help=True)


class Role(str, Enum):
    member = "member"
    steward = "steward"
    admin = "admin"


class Status(str, Enum):
    pending = "pending"
    active = "active"
    inactive = "inactive"


@app.command("list")
@handles_errors
def list_members(
    q: Annotated[str | None, typer.Option(help="Search in email and display name")] = None,
    role: Role | None = None,
    status: Status | None = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 100,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Members, filtered and paginated (stewards and admins)."""
    params = {"q": q, "role": role and role.value, "status": status and status.value, "limit": limit,
              "offset": offset}
    with signed_in() as client:
        page = client.json("GET", "/members", params={k: v for k, v in params.items() if v is not None})
    if as_json:
        return print_json(page)
    rows = [(m["email"], m["display_name"], m["role"], m["status"], m["joined_at"], m["id"]) for m in page["items"]]
    table(None, ("email", "name", "role", "status", "joined", "id"), rows)
    note(f"{len(rows)} shown of {page['total']} matching.")


@app.command()
@handles_errors
def create(
    email: str,
    name: Annotated[str, typer.Argument(help="Display name")],
    role: Role = Role.member,
    joined_at: Annotated[str | None, typer.Option(help="YYYY-MM-DD; today if not given")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a member and print the one-time temporary password (shown only now)."""
    body = {"email": email, "display_name": name, "role": role.value}
    if joined_at:
        body["joined_at"] = iso_date(joined_at, "--joined-at")
    with signed_in() as client:
        member = client.json("POST", "/members", json=body)
    if as_json:
        return print_json(member)
    out().print(f"Created {member['role']} {member['email']} ({member['id']}).", markup=False)
    out().print(f"Temporary password (shown once): {member['temporary_password']}", markup=False)


@app.command()
@handles_errors
def onboard(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                         help="CSV: email,display_name,role[,joined_at]")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would happen; write nothing")] = False,
    credentials_out: Annotated[Path | None, typer.Option(help="CSV of new members' passwords (mode 0600)")] = None,
    welcome_dir: Annotated[Path | None, typer.Option(help="One welcome email .txt per new member")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create or update members from a CSV roster; all or nothing; re-running an unchanged file changes nothing."""
    data = file.read_bytes()
    with signed_in() as client:
        try:
            with spinner(f"Uploading {file.name} ({len(data)} bytes)…", quiet=as_json):
                report = client.json(
                    "POST", "/members/import", content=data, headers={"Content-Type": "text/csv"},
                    params={"dry_run": "true" if dry_run else "false"},
                )
        except CliError as error:
            fail_with_csv_errors(file, error)
    if as_json:
        print_json(report)
    else:
        _print_report(report)
    credentials = report.get("credentials") or []
    if credentials and credentials_out:
        write_private(credentials_out, _credentials_csv(credentials))
        note(f"Credentials of {len(credentials)} new members written to {credentials_out} (readable by you only).")
    welcomes = report.get("welcome_emails") or []
    if welcomes and welcome_dir:
        _write_welcomes(welcome_dir, welcomes)
        note(f"{len(welcomes)} welcome emails written to {welcome_dir}.")


def _print_report(report: dict) -> None:
    rows = []
    for row in report["rows"]:
        changes = ", ".join(f"{name}: {old!r} → {new!r}" for name, (old, new) in (row.get("changes") or {}).items())
        rows.append((row["line"], row["email"], row["action"], changes))
    mode = "dry run, nothing written" if report["dry_run"] else "done"
    table(f"Onboarding ({mode})", ("line", "email", "action", "changes"), rows)
    summary = report["summary"]
    out().print(f"{summary['created']} created, {summary['updated']} updated, {summary['unchanged']} unchanged "
                f"({mode}).", markup=False)


def _credentials_csv(credentials: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "display_name", "temporary_password"])
    # a roster's names become spreadsheet cells: one starting "=", "+", "-" or "@" must not run as a formula
    writer.writerows(spreadsheet_row([c["email"], c["display_name"], c["temporary_password"]]) for c in credentials)
    return buffer.getvalue()


def _write_welcomes(directory: Path, welcomes: list[dict]) -> None:
    """One `<email>.txt` per new member: subject, recipient, blank line, body (owner-only: it holds a password)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    for welcome in welcomes:
        name = re.sub(r"[^A-Za-z0-9@._+-]", "_", welcome["email"]) + ".txt"
        write_private(directory / name, f"Subject: {welcome['subject']}\nTo: {welcome['email']}\n\n{welcome['body']}")
