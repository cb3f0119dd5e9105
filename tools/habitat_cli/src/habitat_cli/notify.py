"""`habitat notify …`: run a reminder now, see what was mailed to whom, resend a failed mail."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import typer

from habitat_cli.client import signed_in
from habitat_cli.output import JsonFlag, handles_errors, note, print_json, table

app = typer.Typer(
    help="Mail: reminder runs on demand, the mail log (sent, queued, failed, bounced), resending.",
    no_args_is_help=True,
)


class Kind(str, Enum):
    weekly_reminder = "weekly_reminder"
    final_week = "final_week"
    steward_digest = "steward_digest"


class Status(str, Enum):
    queued = "queued"
    sent = "sent"
    failed = "failed"
    bounced = "bounced"


def outcome(answer: dict) -> str:
    """What a run did, in one sentence: ran (how many mails), ran before, or nothing to run."""
    kind, key = answer["kind"], answer["key"]
    if answer["ran"]:
        return f"{kind} ran ({key}): {answer['mailed']} mail(s) written; the worker sends them within seconds."
    if key:
        return f"{kind} already ran this slot ({key}); nobody was mailed again."
    why = "not yet the open period's final week, or no open period" if kind == "final_week" else "no open period"
    return f"{kind}: nothing to run now ({why}); nobody was mailed."


@app.command("run")
@handles_errors
def run(
    kind: Annotated[Kind, typer.Argument(help="weekly_reminder, final_week or steward_digest")],
    as_json: JsonFlag = False,
) -> None:
    """Run a reminder's current slot now, whatever the hour; a slot runs once, so asking twice mails nobody twice."""
    with signed_in() as client:
        answer = client.json("POST", "/notifications/runs", json={"kind": kind.value})
    if as_json:
        print_json(answer)
    else:
        typer.echo(outcome(answer))


@app.command("messages")
@handles_errors
def messages(
    status: Annotated[Status | None, typer.Option(help="Only mail in this state")] = None,
    recipient: Annotated[str | None, typer.Option("--recipient", help="Only mail to this member id")] = None,
    after: Annotated[str | None, typer.Option("--after", help="The cursor the previous page printed")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """What was mailed to whom and when, newest first, with attempts and the SMTP server's last answer."""
    params: dict[str, Any] = {"limit": limit}
    for name, value in (("status", status and status.value), ("recipient_id", recipient), ("after", after)):
        if value:
            params[name] = value
    with signed_in() as client:
        answer = client.json("GET", "/notifications/messages", params=params)
    if as_json:
        print_json(answer)
        return
    if not answer["items"]:
        note("No mail." if status is None else f"No mail in status {status.value}.")
        return
    rows = ([m["id"], m["created_at"], m["recipient_email"], m["kind"], m["subject"], m["status"], m["attempts"],
             m["last_error"]] for m in answer["items"])
    table("Mail", ("id", "when", "to", "kind", "subject", "status", "attempts", "last SMTP answer"), rows)
    if answer.get("next_cursor"):
        note(f"More: --after {answer['next_cursor']}")


@app.command("resend")
@handles_errors
def resend(
    message_id: Annotated[str, typer.Argument(metavar="ID", help="A failed or bounced mail's id")],
    as_json: JsonFlag = False,
) -> None:
    """Queue a failed or bounced mail again, to the member's current address."""
    with signed_in() as client:
        answer = client.json("POST", f"/notifications/messages/{message_id}/resend")
    if as_json:
        print_json(answer)
    else:
        typer.echo(f"Queued again: {answer['subject']!r} to {answer['recipient_email']}; "
                   "the worker sends it within seconds.")
