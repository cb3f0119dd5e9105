"""`habitat dlq …`: messages that died in a consumer's work queue — see them, replay them, discard them."""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated, Any

import typer

from habitat_cli.client import signed_in
from habitat_cli.output import JsonFlag, handles_errors, note, out, print_json, table

app = typer.Typer(
    help="Dead letters: events a consumer could not use, kept per work queue until replayed or discarded.",
    no_args_is_help=True,
)
Queue = Annotated[str, typer.Argument(help="The work queue, e.g. ledger.contributions.contribution_approved.v1")]
Ids = Annotated[list[str] | None, typer.Option("--id", help="Only this letter (repeatable); default: every dead one")]


class Status(str, Enum):
    dead = "dead"
    replay_requested = "replay_requested"
    replayed = "replayed"
    discarded = "discarded"
    any = "any"


StatusOption = Annotated[Status, typer.Option(help="Which letters: dead (waiting for you) unless said otherwise")]


def age(seconds: int | None) -> str:
    """A short age: 45s, 12m, 3h, 2d."""
    if seconds is None:
        return ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@app.command("list")
@handles_errors
def list_letters(
    queue: Annotated[str | None, typer.Option("--queue", help="Only this work queue")] = None,
    status: StatusOption = Status.dead, as_json: JsonFlag = False,
) -> None:
    """Dead letters per work queue (how many, the oldest's age), then each letter with its reason."""
    params: dict[str, Any] = {"status": status.value, "limit": 500}
    if queue:
        params["queue"] = queue
    with signed_in() as client:
        answer = client.json("GET", "/dead-letters", params=params)
    if as_json:
        print_json(answer)
        return
    waiting = [q for q in answer["queues"] if q["count"]]
    if waiting:
        table("Queues", ("queue", "dead", "oldest"), ([q["queue"], q["count"], age(q["age_seconds"])] for q in waiting))
    if not answer["items"]:
        note("No dead letters." if status == Status.dead else f"No letters in status {status.value}.")
        return
    rows = ([i["id"], i["queue"], i["event_type"] or "", age(i["age_seconds"]), i["times_dead"], i["status"],
             i["reason"]] for i in answer["items"])
    table("Letters", ("id", "queue", "event", "age", "deaths", "status", "reason"), rows)
    if answer["total"] > len(answer["items"]):
        note(f"{answer['total'] - len(answer['items'])} more not shown; use --queue or --json.")


@app.command("show")
@handles_errors
def show(queue: Queue, status: StatusOption = Status.dead, as_json: JsonFlag = False) -> None:
    """One work queue's letters in full: reason, headers and body."""
    with signed_in() as client:
        answer = client.json("GET", f"/dead-letters/{queue}", params={"status": status.value, "limit": 500})
    if as_json:
        print_json(answer)
        return
    if not answer["items"]:
        note(f"No letters in {queue} (status {status.value}).")
        return
    console = out()
    for letter in answer["items"]:
        console.print(f"{letter['id']}  {letter['status']}  died {letter['times_dead']}x, "
                      f"{age(letter['age_seconds'])} ago", markup=False)
        console.print(f"  event:   {letter['event_type'] or '-'} {letter['event_id'] or ''}", markup=False)
        console.print(f"  reason:  {letter['reason']}", markup=False)
        if letter.get("discard_reason"):
            console.print(f"  discarded: {letter['discard_reason']}", markup=False)
        console.print(f"  headers: {json.dumps(letter['headers'], sort_keys=True)}", markup=False)
        console.print(f"  body ({letter['body_encoding']}): {letter['body']}", markup=False)


@app.command("replay")
@handles_errors
def replay(queue: Queue, ids: Ids = None, as_json: JsonFlag = False) -> None:
    """Put letters back on their work queue (only that one; its consumer ignores what it already applied)."""
    with signed_in() as client:
        answer = client.json("POST", f"/dead-letters/{queue}/replay", json={"ids": ids} if ids else {})
    if as_json:
        print_json(answer)
        return
    already = f"; {answer['already_replayed']} replayed before" if answer["already_replayed"] else ""
    note(f"Replay of {answer['requested']} letter(s) of {queue} requested; the worker sends them shortly{already}.")


@app.command("discard")
@handles_errors
def discard(
    queue: Queue, reason: Annotated[str, typer.Option("--reason", help="Why, kept with the letters (required)")],
    ids: Ids = None, as_json: JsonFlag = False,
) -> None:
    """Set letters aside for good, with the reason (they stay listed under --status discarded)."""
    body: dict[str, Any] = {"reason": reason} | ({"ids": ids} if ids else {})
    with signed_in() as client:
        answer = client.json("POST", f"/dead-letters/{queue}/discard", json=body)
    if as_json:
        print_json(answer)
        return
    already = f"; {answer['already_discarded']} discarded before" if answer["already_discarded"] else ""
    note(f"Discarded {answer['discarded']} letter(s) of {queue}{already}.")
