"""Contributions of a period still undecided (pending or awaiting clarification): nothing is left
undecided when a close starts, so the close is refused while there are any and the pre-close
report lists them first."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from habitat_common.web.errors import ApiError

from habitat_gateway.clients.upstream import Services

UNDECIDED = ("pending", "clarification_requested")
LISTED = 500  # the review queue's largest page; the count is exact beyond it
FIELDS = ("id", "member_id", "member_name", "type", "status", "contributed_on", "value", "description")


async def undecided_contributions(
    services: Services, period_id: uuid.UUID | str, token: str
) -> tuple[list[dict[str, Any]], int]:
    """The period's undecided contributions, oldest first, and how many there are (stewards' review queue)."""
    pages = await asyncio.gather(*(
        services.contributions.request(
            "GET", "/review-queue", token=token,
            params={"period_id": str(period_id), "status": status, "limit": LISTED},
        )
        for status in UNDECIDED
    ))
    items = sorted((item for page in pages for item in page["items"]), key=lambda item: str(item.get("submitted_at")))
    return [{key: item.get(key) for key in FIELDS} for item in items[:LISTED]], sum(page["total"] for page in pages)


async def ensure_nothing_undecided(services: Services, period_id: uuid.UUID | str, token: str) -> None:
    """409 pending_contributions, listing them, while any contribution of the period is undecided."""
    items, count = await undecided_contributions(services, period_id, token)
    if count:
        raise ApiError(
            409, "pending_contributions",
            f"{count} contribution{'s' if count != 1 else ''} of this period {'are' if count != 1 else 'is'} still"
            " pending or awaiting clarification; approve or reject them (or have the member answer) before the"
            " close starts.",
            {"pending_contributions": items, "pending_count": count},
        )
