"""Command line: `python -m habitat_identity.cli ensure-admin --email E --password P --display-name N`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from habitat_identity.bootstrap import build_container
from habitat_identity.config import IdentitySettings
from habitat_identity.domain.commands import EnsureAdmin
from habitat_identity.domain.errors import EmailTaken, IdentityError
from habitat_identity.service_layer import members


async def _ensure_admin(command: EnsureAdmin, settings: IdentitySettings | None) -> str:
    container = build_container(settings)
    try:
        try:
            member, created = await members.ensure_admin(command, container.uow(), container.hasher)
        except EmailTaken:  # another process created it between our check and our insert
            member, created = await members.ensure_admin(command, container.uow(), container.hasher)
    finally:
        await container.engine.dispose()
    verb = "created" if created else "found existing"
    return f"{verb} member {member.email} ({member.id}, role {member.role}, status {member.status})"


def main(argv: list[str] | None = None, settings: IdentitySettings | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m habitat_identity.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    ensure = commands.add_parser("ensure-admin", help="create an active admin unless the email exists")
    ensure.add_argument("--email", required=True)
    ensure.add_argument("--password", required=True)
    ensure.add_argument("--display-name", required=True)
    args = parser.parse_args(argv)
    command = EnsureAdmin(email=args.email, password=args.password, display_name=args.display_name)
    try:
        print(asyncio.run(_ensure_admin(command, settings)))
    except IdentityError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    return 0
