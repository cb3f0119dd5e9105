"""When a contribution may be dated: not in the future (the co-op's today) and not before the member joined."""

from __future__ import annotations

from datetime import date

from habitat_contributions.domain.errors import InvalidContribution


def check_contributed_on(day: date, *, today: date, joined_at: date | None) -> None:
    """Raise InvalidContribution (contributed_in_future / contributed_before_joining) for an impossible date.

    today is the co-op's calendar date (its time zone); a member whose joining date is unknown is not limited."""
    if day > today:
        raise InvalidContribution(
            f"contributed_on {day.isoformat()} is in the future; today is {today.isoformat()} in the co-op's time zone.",
            code="contributed_in_future",
        )
    if joined_at is not None and day < joined_at:
        raise InvalidContribution(
            f"contributed_on {day.isoformat()} is before the member joined the co-op on {joined_at.isoformat()}.",
            code="contributed_before_joining",
        )
