"""/api/v1 dead letters (admins): what died in the consuming services' work queues, replayed or discarded.

Each consuming service keeps its own dead letters; a queue's name starts with its consumer
(`ledger.contributions.contribution_approved.v1`), which picks the service. The list without a queue is
every consuming service's answers merged.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Body
from habitat_common.web.dead_letter_schemas import (
    DeadLetterList,
    DiscardOutcome,
    DiscardRequest,
    QueueLetters,
    ReplayOutcome,
    ReplayRequest,
    StatusFilter,
)
from habitat_common.web.errors import ApiError
from habitat_common.web.inputs import MAX_LIMIT, Limit, Offset

from habitat_gateway.clients.upstream import ServiceClient, Services
from habitat_gateway.error_responses import EDGE, SIGNED_IN, UPSTREAM, errors
from habitat_gateway.routes.deps import AdminCaller, ServicesDep

router = APIRouter(tags=["dead letters"], responses=errors(*SIGNED_IN, *UPSTREAM))
UNKNOWN_QUEUE = "unknown_queue: no consuming service has that work queue"
REFUSALS = errors(*EDGE, 422, notes={
    404: f"{UNKNOWN_QUEUE}; dead_letter_not_found: an id is not a letter of that queue",
    409: "dead_letter_not_dead: discarding a letter replayed (or asked to be), or replaying a discarded one",
})


def consumers(services: Services) -> dict[str, ServiceClient]:
    return {
        "contributions": services.contributions, "ledger": services.ledger, "notifications": services.notifications,
    }


def service_of(queue: str, services: Services) -> ServiceClient:
    """The service that consumes queue, named by its first part."""
    consumer = queue.partition(".")[0]
    client = consumers(services).get(consumer)
    if client is None:
        raise ApiError(404, "unknown_queue", f"{queue!r} is not a work queue of a consuming service")
    return client


def merged(answers: list[dict], *, limit: int, offset: int) -> dict:
    """Every consuming service's list as one: every queue, the letters in one order (oldest death first), one page."""
    items = sorted((item for answer in answers for item in answer["items"]), key=lambda i: (i["dead_at"], i["id"]))
    return {
        "queues": [queue for answer in answers for queue in answer["queues"]],
        "total": sum(answer["total"] for answer in answers),
        "items": items[offset:offset + limit],
    }


@router.get("/dead-letters", response_model=DeadLetterList, responses=errors(notes={
    404: UNKNOWN_QUEUE, 422: f"invalid_request; page_too_deep: without queue, offset + limit > {MAX_LIMIT}"}))
async def list_dead_letters(
    caller: AdminCaller, services: ServicesDep, queue: str | None = None, status: StatusFilter = "dead",
    limit: Limit = 50, offset: Offset = 0,
) -> dict:
    """Per work queue of every consuming service: letters in status dead and the oldest one's age; then the
    letters themselves (id, queue, event, reason, age, times dead), oldest death first."""
    if queue is not None:
        params = {"queue": queue, "status": status, "limit": limit, "offset": offset}
        return await service_of(queue, services).request("GET", "/dead-letters", token=caller.token, params=params)
    if offset + limit > MAX_LIMIT:  # the merged page needs the first offset + limit letters of each service
        raise ApiError(422, "page_too_deep", f"without a queue, offset + limit may be at most {MAX_LIMIT}")
    params = {"status": status, "limit": offset + limit, "offset": 0}
    answers = await asyncio.gather(
        *(client.request("GET", "/dead-letters", token=caller.token, params=params)
          for client in consumers(services).values())
    )
    return merged(list(answers), limit=limit, offset=offset)


@router.get("/dead-letters/{queue}", response_model=QueueLetters, responses=errors(422, notes={404: UNKNOWN_QUEUE}))
async def show_queue(
    queue: str, caller: AdminCaller, services: ServicesDep, status: StatusFilter = "dead",
    limit: Limit = 50, offset: Offset = 0,
) -> dict:
    """One work queue's letters with headers and body (UTF-8 text, or base64 when it is not), oldest first."""
    params = {"status": status, "limit": limit, "offset": offset}
    return await service_of(queue, services).request("GET", f"/dead-letters/{queue}", token=caller.token,
                                                     params=params)


@router.post("/dead-letters/{queue}/replay", status_code=202, response_model=ReplayOutcome, responses=REFUSALS)
async def replay(
    queue: str, caller: AdminCaller, services: ServicesDep,
    body: Annotated[ReplayRequest | None, Body()] = None,
) -> dict:
    """Put letters back on their work queue, and only that one (its consumer is idempotent, so replaying is
    safe); ids omitted means every dead letter of the queue. Its worker publishes them within a second: 202.
    Asking again changes nothing (already_replayed counts them)."""
    payload = (body or ReplayRequest()).model_dump(mode="json", exclude_none=True)
    return await service_of(queue, services).request(
        "POST", f"/dead-letters/{queue}/replay", token=caller.token, json=payload
    )


@router.post("/dead-letters/{queue}/discard", response_model=DiscardOutcome, responses=REFUSALS)
async def discard(queue: str, body: DiscardRequest, caller: AdminCaller, services: ServicesDep) -> dict:
    """Set letters aside for good with a reason, kept with them with who and when (the letters stay listed
    under status=discarded); ids omitted means every dead letter of the queue. Discarding again changes nothing."""
    return await service_of(queue, services).request(
        "POST", f"/dead-letters/{queue}/discard", token=caller.token, json=body.model_dump(mode="json",
                                                                                           exclude_none=True)
    )
