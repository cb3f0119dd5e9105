"""`habitat periods`: list, create, and the close: pre-close report, start close, propose, approve, post."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import typer

from habitat_cli.client import Client, CliError, signed_in
from habitat_cli.output import JsonFlag, fail, handles_errors, out, print_json, table
from habitat_cli.values import decimal_text, iso_date, uuid_text

app = typer.Typer(help="Accounting periods and their close.", no_args_is_help=True)
PeriodArg = Annotated[str, typer.Argument(metavar="PERIOD", help="Period name (e.g. 2026-Q1) or id")]
AllocationArg = Annotated[str, typer.Argument(metavar="ALLOCATION", help="Allocation (proposal) id")]


def resolve_period(client: Client, period: str) -> str:
    """An id as given, else the id of the period with that name (GET /periods)."""
    try:
        return str(uuid.UUID(period))
    except ValueError:
        pass
    for item in client.json("GET", "/periods")["items"]:
        if item["name"] == period:
            return item["id"]
    raise CliError(f"no period named {period!r}; see `habitat periods list`")


@app.command("list")
@handles_errors
def list_periods(as_json: JsonFlag = False) -> None:
    """All accounting periods."""
    with signed_in() as client:
        periods = client.json("GET", "/periods")
    if as_json:
        return print_json(periods)
    rows = [(p["name"], p["starts_on"], p["ends_on"], p["status"], p["id"]) for p in periods["items"]]
    table(None, ("name", "starts", "ends", "status", "id"), rows)


@app.command()
@handles_errors
def create(
    name: str,
    start: Annotated[str, typer.Argument(help="First day, YYYY-MM-DD")],
    end: Annotated[str, typer.Argument(help="Last day, YYYY-MM-DD")],
    as_json: JsonFlag = False,
) -> None:
    """Open a new period; periods may not overlap (admins)."""
    body = {"name": name, "starts_on": iso_date(start, "START"), "ends_on": iso_date(end, "END")}
    with signed_in() as client:
        period = client.json("POST", "/periods", json=body)
    if as_json:
        return print_json(period)
    out().print(f"Created period {period['name']} ({period['starts_on']} – {period['ends_on']}), "
                f"{period['status']}: {period['id']}", markup=False)


@app.command("close-report")
@handles_errors
def close_report(period: PeriodArg, as_json: JsonFlag = False) -> None:
    """What closing would find: members, approved totals, reconciliation, undecided contributions."""
    with signed_in() as client:
        report = client.json("GET", f"/periods/{resolve_period(client, period)}/pre-close")
    if as_json:
        return print_json(report)
    undecided = report.pop("pending_contributions", None)
    if isinstance(undecided, list):
        if undecided:
            _print_undecided(undecided, report.get("pending_count", len(undecided)))
        else:
            out().print("No contributions of the period are waiting for a decision.", markup=False)
    _print_mapping(report)


@app.command()
@handles_errors
def close(period: PeriodArg, as_json: JsonFlag = False) -> None:
    """Start closing: intake stops and the period's approved totals are sealed.

    Refused (exit 1, each listed) while contributions of the period wait for a decision.
    """
    with signed_in() as client:
        try:
            result = client.json("POST", f"/periods/{resolve_period(client, period)}/close")
        except CliError as error:
            body = error.body if isinstance(error.body, dict) else {}
            if error.code != "pending_contributions" or not body.get("pending_contributions"):
                raise
            _print_undecided(body["pending_contributions"], body.get("pending_count"))
            fail(error.message)
    if as_json:
        return print_json(result)
    out().print(f"Period {result['name']} is now {result['status']}.", markup=False)


@app.command()
@handles_errors
def propose(
    period: PeriodArg,
    surplus: Annotated[str, typer.Option(help="Book result, e.g. 12000.00; a loss is negative, e.g. -500.00")],
    tax_surplus: Annotated[
        str | None, typer.Option(help="Tax-basis result if it differs from the book result (default: the same)")
    ] = None,
    cash_portion: Annotated[str, typer.Option(help="Percent of each allocation paid in cash, 0-100; 0 for a loss")] = "0",
    labor: Annotated[str | None, typer.Option(help="Weight of labor patronage (server default 1.0)")] = None,
    capital: Annotated[str | None, typer.Option(help="Weight of capital patronage (server default 0.5)")] = None,
    property: Annotated[str | None, typer.Option(help="Weight of property patronage (server default 0.5)")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Propose the allocation of a surplus or a loss: an immutable calculation record with a content hash."""
    body: dict[str, Any] = {"surplus": decimal_text(surplus, "--surplus"),
                            "cash_portion": decimal_text(cash_portion, "--cash-portion")}
    if tax_surplus is not None:
        body["tax_surplus"] = decimal_text(tax_surplus, "--tax-surplus")
    weights = {k: decimal_text(v, f"--{k}") for k, v in (("labor", labor), ("capital", capital),
                                                    ("property", property)) if v is not None}
    if weights:
        body["weights"] = weights
    with signed_in() as client:
        allocation = client.json("POST", f"/periods/{resolve_period(client, period)}/allocations", json=body)
    _show_allocation(allocation, as_json)


@app.command()
@handles_errors
def approve(allocation: AllocationArg, as_json: JsonFlag = False) -> None:
    """Approve a proposal as one of the distinct approvers (the proposer alone is never enough)."""
    with signed_in() as client:
        _show_allocation(client.json("POST", f"/allocations/{_allocation_id(allocation)}/approve"), as_json)


@app.command()
@handles_errors
def post(allocation: AllocationArg, as_json: JsonFlag = False) -> None:
    """Post an approved allocation to every capital account and close the period (idempotent)."""
    with signed_in() as client:
        _show_allocation(client.json("POST", f"/allocations/{_allocation_id(allocation)}/post"), as_json)


def _show_allocation(allocation: dict, as_json: bool) -> None:
    if as_json:
        return print_json(allocation)
    approvals = len(allocation.get("approvals") or [])
    out().print(f"Allocation {allocation['id']}: {allocation['status']}, approvals {approvals}/"
                f"{allocation['approvals_required']}, {allocation['contribution_count']} contributions, "
                f"hash {allocation['content_hash']}", markup=False)
    inputs = allocation.get("inputs") or {}
    book, tax = inputs.get("surplus"), inputs.get("tax_surplus") or inputs.get("surplus")
    if book is not None:
        kind = "loss" if book.startswith("-") else "surplus"
        out().print(f"Book result ({kind}) {book}, tax result {tax}, cash portion {inputs.get('cash_portion')}%",
                    markup=False)
    rows = [(r.get("display_name") or r["member_id"], r["weighted_patronage"], r["share"], r["allocation"],
             r.get("tax_allocation", r["allocation"]), r.get("cash_portion_amount"), r.get("retained_amount"))
            for r in allocation["rows"]]
    table(None, ("member", "weighted patronage", "share", "allocation (book)", "allocation (tax)", "cash",
                 "retained"), rows)


def _print_undecided(undecided: list[dict], count: int | None) -> None:
    """The contributions that keep a period from closing, oldest first: review them, then close."""
    columns = ("contributed_on", "member_name", "type", "status", "value", "id")
    total = count if count is not None else len(undecided)
    more = f" (first {len(undecided)} shown)" if total > len(undecided) else ""
    table(f"Waiting for a decision: {total}{more}", columns, ([item.get(c) for c in columns] for item in undecided))


def _print_mapping(data: dict, indent: str = "") -> None:
    console = out()
    for key, value in data.items():
        if isinstance(value, dict):
            console.print(f"{indent}{key}:", markup=False)
            _print_mapping(value, indent + "  ")
        else:
            console.print(f"{indent}{key}: {value}", markup=False)


def _allocation_id(value: str) -> str:
    return uuid_text(value, "an allocation id")
