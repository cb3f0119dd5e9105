"""`habitat`: sign in, members, periods and exports over the gateway's public API."""

from __future__ import annotations

from typing import Annotated

import typer

from habitat_cli import dead_letters, exports, imports, members, money_moves, notify, periods, smoke, validation
from habitat_cli.client import Client, CliError, signed_in
from habitat_cli.credentials import CredentialStore
from habitat_cli.output import JsonFlag, fail, handles_errors, note, print_json

app = typer.Typer(
    help="Habitat admin command line (patronage accounting for co-ops).",
    no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False,
)
app.add_typer(members.app, name="members")
app.add_typer(periods.app, name="periods")
app.add_typer(exports.app, name="export")
app.add_typer(imports.app, name="import")
app.add_typer(money_moves.app, name="money-moves")
app.add_typer(dead_letters.app, name="dlq")
app.add_typer(notify.app, name="notify")
app.command("validate")(validation.validate)
app.command("smoke")(smoke.smoke)

MUST_CHANGE = "signed in, but the temporary password must be changed first: run `habitat password`"


@app.command()
@handles_errors
def login(
    url: Annotated[str, typer.Option(envvar="HABITAT_URL", help="The co-op's Habitat address, e.g. https://habitat.example.coop")],
    email: Annotated[str, typer.Option(envvar="HABITAT_EMAIL")],
    password: Annotated[str, typer.Option(envvar="HABITAT_PASSWORD", prompt=True, hide_input=True)],
    as_json: JsonFlag = False,
) -> None:
    """Sign in and cache the session (owner-only credentials.json); later commands use it."""
    store = CredentialStore()
    with Client(url, store=store) as client:
        pair = client.json("POST", "/auth/login", json={"email": email, "password": password})
        client.remember(pair)
    if as_json:
        print_json({"url": client.url, "email": email, "must_change_password": pair["must_change_password"],
                    "expires_in": pair.get("expires_in"), "credentials": str(store.path)})
    if pair["must_change_password"]:
        fail(MUST_CHANGE)
    if not as_json:
        note(f"Signed in to {client.url} as {email}.")


@app.command()
@handles_errors
def password(
    current: Annotated[str, typer.Option("--current", prompt="Current password", hide_input=True)],
    new: Annotated[str, typer.Option("--new", prompt="New password", hide_input=True, confirmation_prompt=True)],
    as_json: JsonFlag = False,
) -> None:
    """Change your own password (also the one-time temporary password); other sessions end."""
    with signed_in() as client:
        pair = client.json("POST", "/auth/password", json={"current_password": current, "new_password": new})
        client.remember(pair)
    if as_json:
        print_json({"changed": True, "must_change_password": pair.get("must_change_password", False)})
    else:
        note("Password changed.")


@app.command()
def logout(as_json: JsonFlag = False) -> None:
    """Revoke the cached session and delete the credentials file."""
    store = CredentialStore()
    credentials = store.load()
    if credentials is None:
        store.delete()
        print_json({"signed_out": False}) if as_json else note("Not signed in.")
        return
    problem = None
    with Client(credentials.url) as client:
        try:
            client.request("POST", "/auth/logout", json={"refresh_token": credentials.refresh_token})
        except CliError as error:
            # a refused token is already dead; only an unreachable server leaves it alive
            problem = error if error.status is None else None
    store.delete()
    if problem:
        fail(f"{problem.message}; the local credentials were deleted but the session was not revoked")
    print_json({"signed_out": True}) if as_json else note(f"Signed out of {credentials.url}.")


@app.command()
@handles_errors
def whoami(as_json: JsonFlag = False) -> None:
    """The signed-in member's own record."""
    with signed_in() as client:
        me = client.json("GET", "/me")
    if as_json:
        print_json(me)
    else:
        typer.echo(f"{me['email']} ({me['display_name']}), {me['role']}, {me['status']} — {client.url}")


def main() -> None:
    app()
