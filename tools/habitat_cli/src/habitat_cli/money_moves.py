"""`habitat money-moves …`: payments, reversals and opening-balance imports waiting for a second admin."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import typer

from habitat_cli.client import signed_in
from habitat_cli.output import JsonFlag, handles_errors, note, print_json, table

app = typer.Typer(
    help="Money moves (payments, reversals, opening-balance imports) take effect when a second admin approves.",
    no_args_is_help=True,
)
MoveId = Annotated[str, typer.Argument(help="The money move's id (see `habitat money-moves list`)")]


class Status(str, Enum):
    requested = "requested"
    executed = "executed"
    rejected = "rejected"
    all = "all"


def describe(move: dict[str, Any]) -> str:
    """One line saying what the move does, from its frozen parameters."""
    p = move["parameters"]
    if move["kind"] == "complete_distribution":
        override = f"; overdraw override: {p['override_reason']}" if p.get("override_reason") else ""
        return f"pay {p['amount']} to {p['member_id']} by {p['method']}, ref {p['reference']}, on {p['paid_on']}{override}"
    if move["kind"] == "reverse_transaction":
        return f"reverse transaction {move['target_id']} on {p['occurred_on']}: {p['reason']}"
    return (f"import {p['rows']} opening balances ({p['created']} created, {p['updated']} updated);"
            f" book {p['book_total']}, tax {p['tax_total']}")


@app.command("list")
@handles_errors
def list_moves(
    status: Annotated[Status, typer.Option(help="requested: waiting for a second admin")] = Status.requested,
    as_json: JsonFlag = False,
) -> None:
    """Money moves, newest first (by default those waiting for a second admin)."""
    with signed_in() as client:
        params = {} if status == Status.all else {"status": status.value}
        moves = client.json("GET", "/money-moves", params=params)["items"]
    if as_json:
        print_json(moves)
        return
    if not moves:
        note("Nothing is waiting." if status == Status.requested else "No money moves.")
        return
    rows = ([m["id"], m["kind"], m["status"], f"{len(m['approvals'])}/{m['approvals_required']}", describe(m)]
            for m in moves)
    table(None, ("id", "kind", "status", "approvals", "what"), rows)


@app.command("approve")
@handles_errors
def approve(move_id: MoveId, as_json: JsonFlag = False) -> None:
    """Approve as another admin; the approval that completes the count moves the money (checked again)."""
    with signed_in() as client:
        move = client.json("POST", f"/money-moves/{move_id}/approve")
    if as_json:
        print_json(move)
    elif move["status"] == "executed":
        note(f"Approved and done: {describe(move)} (result {move['result_id']}).")
    else:
        note(f"Approved ({len(move['approvals'])} of {move['approvals_required']}); still waiting for another admin.")


@app.command("reject")
@handles_errors
def reject(
    move_id: MoveId, reason: Annotated[str, typer.Option("--reason", help="Why (required)")], as_json: JsonFlag = False
) -> None:
    """Turn a waiting money move down (the requester may withdraw their own so); nothing moves."""
    with signed_in() as client:
        move = client.json("POST", f"/money-moves/{move_id}/reject", json={"reason": reason})
    print_json(move) if as_json else note(f"Rejected: {describe(move)}.")
