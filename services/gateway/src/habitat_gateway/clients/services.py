"""Typed calls to each service, used by both the API and the UI routes."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from habitat_common.metrics import DASHBOARD_CACHE_ANSWERS

from habitat_gateway import integrity
from habitat_gateway.clients.upstream import Services

# The dashboard reads a bounded statement: the latest lines of the capital account (balances are the
# ledger's, whatever came before); its allocations are those among them, so at most one a period for
# years of weekly contributions. The whole statement stays on the statement page.
STATEMENT_WINDOW = 200


async def dashboard(services: Services, token: str, member_id: uuid.UUID) -> dict[str, Any]:
    """Profile, capital account, recent contributions and allocations: from the dashboard cache when it holds the
    member's (habitat_gateway.dashboard_cache), else fetched concurrently and kept there."""
    cache = services.dashboards
    if cache is None:
        return await _compose(services, token, str(member_id))
    if (kept := cache.get(member_id)) is not None:
        DASHBOARD_CACHE_ANSWERS.labels("hit").inc()
        return kept
    ticket = cache.begin()
    data = await _compose(services, token, str(member_id))
    DASHBOARD_CACHE_ANSWERS.labels("miss" if cache.keep(member_id, ticket, data) else "bypass").inc()
    return data


async def _compose(services: Services, token: str, member_id: str) -> dict[str, Any]:
    """The dashboard from its three owners, fetched concurrently. The capital account is the statement's: its
    balances and as_of are the account's, so the ledger is asked once."""
    profile, contributions, statement = await asyncio.gather(
        services.identity.request("GET", "/me", token=token),
        services.contributions.request(
            "GET", "/contributions", token=token, params={"member_id": member_id, "limit": 20}
        ),
        services.ledger.request(
            "GET", f"/capital-accounts/{member_id}/statement", token=token, params={"last": STATEMENT_WINDOW}
        ),
    )
    return {
        "profile": profile,
        "capital_account": {
            "member_id": statement["member_id"], "book_balance": statement["book_balance"],
            "tax_balance": statement["tax_balance"], "as_of": statement.get("as_of"),
        },
        "recent_contributions": contributions["items"][:20],
        "allocations": [line for line in statement["lines"] if line["source_type"] == "allocation"],
        "statement": statement["lines"][-20:],
        "statement_window": statement["lines"],  # the page's capital chart; not part of the API's answer
    }


async def integrity_report(services: Services, token: str) -> dict[str, Any]:
    """Every service's integrity checks, fetched concurrently, and their reconciliation."""
    identity, contributions, ledger = await asyncio.gather(
        *(client.request("GET", "/integrity", token=token) for client in services.all())
    )
    return integrity.report(identity, contributions, ledger)
