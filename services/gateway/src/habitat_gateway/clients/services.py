"""Typed calls to each service, used by both the API and the UI routes."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

from habitat_common.api.contributions import Contribution
from habitat_common.metrics import DASHBOARD_CACHE_ANSWERS
from habitat_common.web.errors import ApiError

from habitat_gateway import fast_json, integrity
from habitat_gateway.clients.upstream import Services

# The dashboard reads a bounded statement: the latest lines of the capital account (balances are the
# ledger's, whatever came before); its allocations are those among them, so at most one a period for
# years of weekly contributions. The whole statement stays on the statement page.
STATEMENT_WINDOW = 200
CONTRIBUTION_FIELDS = tuple(Contribution.model_fields)


@dataclass(frozen=True)
class Dashboard:
    """A member's dashboard as kept: the body of `GET /me/dashboard`, and the statement window's balances for the
    page's capital chart (the latest STATEMENT_WINDOW lines' date, book and tax balance). Bytes rather than objects:
    a third of the memory, and the API answers a hit without encoding anything."""

    answer: bytes
    capital_window: bytes

    def data(self) -> dict[str, Any]:
        """What the pages render: the API's answer, and statement_window (the chart's lines)."""
        window = [{"date": d, "book_balance": b, "tax_balance": t} for d, b, t in fast_json.loads(self.capital_window)]
        return fast_json.loads(self.answer) | {"statement_window": window}


async def dashboard(services: Services, token: str, member_id: uuid.UUID) -> Dashboard:
    """Profile, capital account, recent contributions, patronage and allocations: from the dashboard cache when it
    holds the member's (habitat_gateway.dashboard_cache), else fetched concurrently and kept there."""
    cache = services.dashboards
    if cache is None:
        return await _compose(services, token, str(member_id))
    if (kept := cache.get(member_id)) is not None:
        DASHBOARD_CACHE_ANSWERS.labels("hit").inc()
        return kept
    ticket = cache.begin()
    composed = await _compose(services, token, str(member_id))
    DASHBOARD_CACHE_ANSWERS.labels("miss" if cache.keep(member_id, ticket, composed) else "bypass").inc()
    return composed


async def _compose(services: Services, token: str, member_id: str) -> Dashboard:
    """The dashboard from its three owners, fetched concurrently. The capital account is the statement's: its
    balances and as_of are the account's, so the ledger is asked once."""
    profile, contributions, patronage, statement = await asyncio.gather(
        services.identity.request("GET", "/me", token=token),
        services.contributions.request(
            "GET", "/contributions", token=token, params={"member_id": member_id, "limit": 20}
        ),
        _patronage(services, token, member_id),
        services.ledger.request(
            "GET", f"/capital-accounts/{member_id}/statement", token=token, params={"last": STATEMENT_WINDOW}
        ),
    )
    answer = {
        "profile": profile,
        "capital_account": {
            "member_id": statement["member_id"], "book_balance": statement["book_balance"],
            "tax_balance": statement["tax_balance"], "as_of": statement.get("as_of"),
        },
        # each part is already in its service's documented shape: only the contributions carry more than the
        # dashboard's model, so they are cut to its fields instead of validating everything again
        "recent_contributions": [
            {name: item[name] for name in CONTRIBUTION_FIELDS if name in item} for item in contributions["items"][:20]
        ],
        "patronage": patronage,
        "allocations": [line for line in statement["lines"] if line["source_type"] == "allocation"],
        "statement": statement["lines"][-20:],
    }
    window = [[line["date"], line["book_balance"], line["tax_balance"]] for line in statement["lines"]]
    return Dashboard(fast_json.dumps(answer), fast_json.dumps(window))


async def _patronage(services: Services, token: str, member_id: str) -> dict[str, Any] | None:
    """The member's patronage this period; None from a contributions release without the route (during a
    rolling upgrade the gateway is replaced last, but a rollback replaces the services first)."""
    try:
        return await services.contributions.request("GET", f"/members/{member_id}/patronage", token=token)
    except ApiError as error:
        if error.status == 404:
            return None
        raise


async def integrity_report(services: Services, token: str) -> dict[str, Any]:
    """Every service's integrity checks, fetched concurrently, and their reconciliation."""
    identity, contributions, ledger = await asyncio.gather(
        *(client.request("GET", "/integrity", token=token) for client in services.all())
    )
    return integrity.report(identity, contributions, ledger)
