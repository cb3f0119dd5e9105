"""`import-members FILE [--dry-run] [--credentials-out PATH] [--welcome-dir DIR] [--actor-email E]`."""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from habitat_common.csv_safe import spreadsheet_row

from habitat_identity.adapters.emails import check_email
from habitat_identity.domain.errors import InvalidCsv, MemberNotFound
from habitat_identity.domain.model import normalize_email
from habitat_identity.service_layer import onboarding
from habitat_identity.service_layer.onboarding import Welcome


def add_import_parser(commands: Any) -> None:
    parser = commands.add_parser("import-members", help="create or update members from a CSV roster")
    parser.add_argument("file", type=Path)
    parser.add_argument("--dry-run", action="store_true", help="show what would happen, write nothing")
    parser.add_argument("--credentials-out", type=Path, help="CSV of new members' temporary passwords (mode 0600)")
    parser.add_argument("--welcome-dir", type=Path, help="one welcome email .txt per new member")
    parser.add_argument("--actor-email", help="the admin running the import (for the audit log)")


async def import_members(args: argparse.Namespace, container: Any) -> int:
    actor_id = None
    if args.actor_email:
        async with container.uow() as uow:
            actor = await uow.members.get_by_email(normalize_email(args.actor_email))
        if actor is None:
            raise MemberNotFound(f"No member has the email {args.actor_email}.")
        actor_id = actor.id
    try:
        report = await onboarding.import_members(
            args.file.read_bytes(),
            dry_run=args.dry_run,
            actor_id=actor_id,
            uow=container.uow(),
            hasher=container.hasher,
            check_email=check_email,
            sign_in_url=container.settings.public_url,
            today=container.settings.coop.today(),
            temporary_password_ttl=timedelta(days=container.settings.temporary_password_days),
            invitation_ttl=container.settings.invitation_ttl,
        )
    except InvalidCsv as invalid:
        for error in invalid.errors:
            print(f"{args.file}:{error.line}:{error.column}: {error.message}", file=sys.stderr)
        return 1
    for row in report.rows:
        changes = ", ".join(f"{name} {old!r} -> {new!r}" for name, (old, new) in row.changes.items())
        print(f"line {row.line}: {row.email} {row.action}" + (f" ({changes})" if changes else ""))
    mode = "dry run, nothing written" if report.dry_run else "done"
    summary = ", ".join(f"{report.count(a)} {a}" for a in ("created", "updated", "unchanged"))
    print(f"{summary} ({mode})")
    if report.welcomes and args.credentials_out:
        write_credentials(args.credentials_out, report.welcomes)
        print(f"credentials written to {args.credentials_out} (readable by you only)")
    if report.welcomes and args.welcome_dir:
        write_welcomes(args.welcome_dir, report.welcomes)
        print(f"{len(report.welcomes)} welcome emails written to {args.welcome_dir}")
    return 0


def write_credentials(path: Path, welcomes: list[Welcome]) -> None:
    """email,display_name,temporary_password; created 0600 so only the owner can read the passwords."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its old mode through O_CREAT
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["email", "display_name", "temporary_password"])
        # names come from the roster: a cell that could start a formula is written as text
        writer.writerows(spreadsheet_row([w.email, w.display_name, w.temporary_password]) for w in welcomes)


def write_welcomes(directory: Path, welcomes: list[Welcome]) -> None:
    """One `<email>.txt` per new member: subject line, blank line, body (owner-only: it holds a password)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    for welcome in welcomes:
        name = re.sub(r"[^A-Za-z0-9@._+-]", "_", welcome.email) + ".txt"
        fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(f"Subject: {welcome.subject}\nTo: {welcome.email}\n\n{welcome.body}")
