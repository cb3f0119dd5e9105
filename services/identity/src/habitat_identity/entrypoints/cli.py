"""Command line: `python -m habitat_identity.cli {ensure-admin, import-members, rotate-signing-key,
republish-members} ...`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from habitat_identity.adapters.keys import rotate_signing_key
from habitat_identity.bootstrap import Container, build, signing_key_passphrase
from habitat_identity.config import IdentitySettings
from habitat_identity.domain.commands import EnsureAdmin
from habitat_identity.domain.errors import EmailTaken, IdentityError
from habitat_identity.entrypoints.cli_import import add_import_parser, import_members
from habitat_identity.service_layer import members, republish


def read_password(args: argparse.Namespace) -> str:
    """The password from --password-file or standard input: never argv, which any local user can read (ps)."""
    if args.password_file is not None:
        text = args.password_file.read_text(encoding="utf-8")
    else:
        text = sys.stdin.read()
    password = text.splitlines()[0] if text.strip() else ""
    if not password:
        raise IdentityError("No password given: pipe it to --password-stdin or name a file with --password-file.")
    return password


async def _ensure_admin(args: argparse.Namespace, container: Container) -> int:
    command = EnsureAdmin(
        email=args.email,
        password=read_password(args),
        display_name=args.display_name,
        must_change_password=not args.no_password_change,
    )
    ensure = members.ensure_admin
    try:
        member, created = await ensure(command, container.uow(), container.hasher, container.strength)
    except EmailTaken:  # another process created it between our check and our insert
        member, created = await ensure(command, container.uow(), container.hasher, container.strength)
    verb = "created" if created else "found existing"
    print(f"{verb} member {member.email} ({member.id}, role {member.role}, status {member.status})")
    return 0


async def _rotate(args: argparse.Namespace, container: Container) -> int:
    settings = container.settings
    kid, retiring = await rotate_signing_key(
        container.session_factory,
        access_token_ttl_seconds=settings.access_token_ttl_seconds,
        passphrase=signing_key_passphrase(settings),
        retire_now=args.retire_now,
    )
    old = ", ".join(retiring) or "none"
    if args.retire_now:
        cache = settings.auth.jwks_cache_seconds
        print(f"new signing key {kid}; retired {old} now: their tokens are refused within {cache:g}s everywhere")
    else:
        print(f"new signing key {kid}; retiring {old} once their tokens expire")
    return 0


async def _republish(args: argparse.Namespace, container: Container) -> int:
    count = await republish.republish_members(container.uow(), batch_size=args.batch_size)
    print(f"{count} member snapshots written to the outbox (identity.member_updated); the worker publishes them")
    return 0


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


COMMANDS = {
    "ensure-admin": _ensure_admin,
    "import-members": import_members,
    "rotate-signing-key": _rotate,
    "republish-members": _republish,
}


async def _run(args: argparse.Namespace, settings: IdentitySettings | None) -> int:
    container = build(settings)
    try:
        return await COMMANDS[args.command](args, container)
    finally:
        await container.engine.dispose()


def main(argv: list[str] | None = None, settings: IdentitySettings | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m habitat_identity.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    ensure = commands.add_parser(
        "ensure-admin",
        help="create an admin unless the email exists; the password is changed at first sign-in",
        allow_abbrev=False,  # "--password P" must fail, not pass as --password-file P
    )
    ensure.add_argument("--email", required=True)
    source = ensure.add_mutually_exclusive_group(required=True)
    source.add_argument("--password-file", type=Path, help="read the password from the file's first line")
    source.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    ensure.add_argument("--display-name", required=True)
    ensure.add_argument(
        "--no-password-change",
        action="store_true",
        help="keep the password at first sign-in (dev and test stacks only, never production)",
    )
    add_import_parser(commands)
    rotate = commands.add_parser("rotate-signing-key", help="sign with a new key; old keys verify until their tokens expire")
    rotate.add_argument(
        "--retire-now", action="store_true", help="a compromised key: stop accepting the old keys' tokens at once"
    )
    backfill = commands.add_parser(
        "republish-members",
        help="announce every member's current state again (fills a new consumer's replica; harmless to repeat)",
    )
    backfill.add_argument(
        "--batch-size", type=_positive, default=republish.REPUBLISH_BATCH, help="members per transaction"
    )
    args = parser.parse_args(argv)
    try:
        return asyncio.run(_run(args, settings))
    except IdentityError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
