"""The pages' charts from the figures the pages already fetch (the services' JSON, amounts as strings)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from habitat_gateway.charts import Chart, bar_chart, count, line_chart, progress_chart, top_and_others

TOP_MEMBERS = 12  # the close chart names the largest allocations and sums the others in one bar
AGE_BUCKETS = ((24, "under 24 hours"), (48, "24 to 48 hours"), (168, "2 to 7 days"), (None, "over 7 days"))


def _day(value: Any) -> date:
    return date.fromisoformat(str(value)[:10])


def capital_over_time(lines: Sequence[Mapping[str, Any]], through: date | None = None) -> Chart:
    """Book and tax capital balances at the end of each statement date (the statement's running balances), each
    held until the next, the last until `through` (the statement's as-of day)."""
    book: dict[date, Decimal] = {}
    tax: dict[date, Decimal] = {}
    for line in lines:  # oldest first: the day's last line holds its closing balance
        day = _day(line["date"])
        book[day], tax[day] = Decimal(str(line["book_balance"])), Decimal(str(line["tax_balance"]))
    return line_chart(
        "capital-chart",
        "Your capital over time",
        [("Book capital", list(book.items())), ("Tax capital", list(tax.items()))],
        through=through,
    )


def patronage_by_type(patronage: Mapping[str, Any] | None) -> Chart | None:
    """Approved value by type in the period of today (between periods, the latest; None before the first, or
    without figures): the contributions service's sums, so every contribution of the period counts, not only
    the latest shown."""
    period = patronage and patronage.get("period")
    if period is None:
        return None
    bars = [(kind, Decimal(str(figures["value"]))) for kind, figures in sorted(patronage["approved"].items())]
    waiting = sum(figures["count"] for figures in patronage["awaiting_review"].values())
    summary = (
        f"Approved value by type in {period['name']}: "
        + "; ".join(f"{kind} {value:,.2f}" for kind, value in bars)
        + f". {waiting} contribution{'' if waiting == 1 else 's'} awaiting review."
    )
    return bar_chart(
        "patronage-chart",
        f"Your patronage by type in {period['name']}",
        bars,
        columns=("Type", "Approved value"),
        summary=summary,
    )


def allocation_by_member(rows: Sequence[Mapping[str, Any]], chart_id: str = "allocation-chart") -> Chart:
    """Each member's book allocation, the largest named and the rest summed (hundreds of members stay legible)."""
    bars = [(str(row.get("display_name") or row["member_id"]), Decimal(str(row["allocation"]))) for row in rows]
    shown = top_and_others(bars, TOP_MEMBERS, "other members")
    total = sum((value for _, value in bars), Decimal(0))
    summary = (
        f"{len(bars)} member{'s' if len(bars) != 1 else ''}, {total:,.2f} in all; "
        + "; ".join(f"{label} {value:,.2f}" for label, value in shown)
        + "."
    )
    return bar_chart(chart_id, "Allocation by member", shown, columns=("Member", "Allocation (book)"), summary=summary)


def member_share(draft: Mapping[str, Any], member_id: str) -> Chart | None:
    """The member's share of a draft allocation, as part of the whole (None when the member has no row)."""
    row = next((row for row in draft["rows"] if str(row["member_id"]) == member_id), None)
    if row is None:
        return None
    mine, total = Decimal(str(row["allocation"])), Decimal(str(draft["allocated_total"]))
    figure = f"{Decimal(str(row['share'])) * 100:.2f}%: {mine:,.2f} of {total:,.2f}"
    return progress_chart("share-chart", "Your share of the draft allocation", [("Your share", mine, total, figure)])


def intake_progress(figures: Mapping[str, Any], period: Mapping[str, Any] | None, today: date) -> Chart:
    """Members who submitted of the active members, and the days of the period gone by (its deadline is its end)."""
    members, active = figures["members_with_submissions"], figures["active_members"]
    parts = [("Members submitted", Decimal(members), Decimal(active), f"{members} of {active} members")]
    if period:
        starts, ends = _day(period["starts_on"]), _day(period["ends_on"])
        length = (ends - starts).days + 1
        gone = min(max((today - starts).days + 1, 0), length)
        parts.append((f"Period to {ends}", Decimal(gone), Decimal(length), f"{gone} of {length} days"))
    return progress_chart("intake-progress-chart", "Progress toward the deadline", parts)


def review_ages(pending: Iterable[Mapping[str, Any]], now: datetime) -> Chart:
    """How long the pending contributions have waited for review, in buckets around the 48-hour target."""
    counts = dict.fromkeys((label for _, label in AGE_BUCKETS), 0)
    for item in pending:
        hours = (now - datetime.fromisoformat(str(item["submitted_at"]))).total_seconds() / 3600
        counts[next(label for limit, label in AGE_BUCKETS if limit is None or hours < limit)] += 1
    bars = [(label, Decimal(n)) for label, n in counts.items()]
    return bar_chart(
        "review-age-chart", "Age of pending reviews", bars, columns=("Waiting", "Contributions"), fmt=count
    )
