"""The dead-letter admin routes every consuming service answers (the gateway puts them under /api/v1):
list, show one queue, ask for a replay, discard with a reason. Admins only."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request

from habitat_common.auth import Principal
from habitat_common.messaging import dead_letter_rules as rules
from habitat_common.messaging.dead_letter_store import DeadLetterStore
from habitat_common.messaging.topology import SUBSCRIPTIONS
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
from habitat_common.web.inputs import Limit, Offset

log = logging.getLogger("habitat.dead_letters")
ERRORS = {
    404: {"description": "unknown_queue: not a work queue of this service; dead_letter_not_found: an id is not"
                         " a letter of that queue"},
    409: {"description": "dead_letter_not_dead: discarding a letter replayed (or asked to be), or replaying a"
                         " discarded one"},
}


def summary_json(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {**row, "age_seconds": rules.age_seconds(row["dead_at"], now)}


def detail_json(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    body, encoding = rules.body_for_display(bytes(row["body"]))
    return {**summary_json(row, now), "body": body, "body_encoding": encoding}


def queue_json(summary: dict[str, Any], now: datetime) -> dict[str, Any]:
    oldest = summary["oldest_dead_at"]
    return {**summary, "age_seconds": rules.age_seconds(oldest, now) if oldest else None}


def _refusal(error: rules.DeadLetterError) -> ApiError:
    return ApiError(error.status, error.code, error.message)


def dead_letters_router(
    *,
    service: str,
    store_of: Callable[[Request], DeadLetterStore],
    admin: Callable[..., Coroutine[Any, Any, Principal]],
) -> APIRouter:
    """The routes over store_of(request), for the work queues service consumes; admin is the service's
    admin-role dependency. Each replay or discard is logged with who did it (the rows keep it too)."""
    router = APIRouter(tags=["dead letters"])
    # defaults, not Annotated aliases: these are local names, which FastAPI cannot resolve from string annotations
    admin_caller = Depends(admin)
    known = [s.queue_name for s in SUBSCRIPTIONS if s.consumer == service]

    async def store_dependency(request: Request) -> DeadLetterStore:
        return store_of(request)

    the_store = Depends(store_dependency)

    def checked(queue: str) -> str:
        try:
            return rules.checked_queue(queue, known)
        except rules.DeadLetterError as error:
            raise _refusal(error) from None

    @router.get("/dead-letters", response_model=DeadLetterList, responses={404: ERRORS[404]})
    async def list_dead_letters(
        queue: str | None = None, status: StatusFilter = "dead", limit: Limit = 50, offset: Offset = 0,
        _: Principal = admin_caller, store: DeadLetterStore = the_store,
    ) -> dict:
        """Per work queue: letters in status dead, the oldest one's age; then the letters (status dead unless
        asked otherwise), oldest death first."""
        chosen = [checked(queue)] if queue is not None else known
        now = datetime.now(UTC)
        summaries = await store.summary(chosen)
        total, rows = await store.letters(
            chosen, status=None if status == "any" else status, limit=limit, offset=offset
        )
        return {
            "queues": [queue_json(s, now) for s in summaries],
            "total": total,
            "items": [summary_json(row, now) for row in rows],
        }

    @router.get("/dead-letters/{queue}", response_model=QueueLetters, responses={404: ERRORS[404]})
    async def show_queue(
        queue: str, status: StatusFilter = "dead", limit: Limit = 50, offset: Offset = 0,
        _: Principal = admin_caller, store: DeadLetterStore = the_store,
    ) -> dict:
        """One work queue's letters with their headers and body (UTF-8 text, or base64), oldest death first."""
        checked(queue)
        now = datetime.now(UTC)
        total, rows = await store.letters(
            [queue], status=None if status == "any" else status, limit=limit, offset=offset, full=True
        )
        return {"queue": queue, "total": total, "items": [detail_json(row, now) for row in rows]}

    @router.post("/dead-letters/{queue}/replay", status_code=202, response_model=ReplayOutcome, responses=ERRORS)
    async def replay(
        queue: str, body: Annotated[ReplayRequest | None, Body()] = None,
        caller: Principal = admin_caller, store: DeadLetterStore = the_store,
    ) -> dict:
        """Put letters back on their work queue (only that one: the consumers are idempotent, so a replay is
        safe); ids omitted means every dead letter of the queue. The worker publishes them shortly: 202.
        Asking again changes nothing."""
        checked(queue)
        try:
            outcome = await store.request_replay(queue, body.ids if body else None, actor=caller.member_id)
        except rules.DeadLetterError as error:
            raise _refusal(error) from None
        log.info("%s dead letters: replay of %d in %s asked by %s (%d already)",
                 service, outcome.changed, queue, caller.member_id, outcome.already)
        return {"queue": queue, "requested": outcome.changed, "already_replayed": outcome.already}

    @router.post("/dead-letters/{queue}/discard", response_model=DiscardOutcome, responses=ERRORS)
    async def discard(
        queue: str, body: DiscardRequest, caller: Principal = admin_caller, store: DeadLetterStore = the_store
    ) -> dict:
        """Set letters aside for good with a reason (kept with them, with who and when); ids omitted means every
        dead letter of the queue. Discarding again changes nothing."""
        checked(queue)
        try:
            outcome = await store.discard(queue, body.ids, actor=caller.member_id, reason=body.reason)
        except rules.DeadLetterError as error:
            raise _refusal(error) from None
        log.info("%s dead letters: %d discarded in %s by %s (%d already): %s",
                 service, outcome.changed, queue, caller.member_id, outcome.already, body.reason)
        return {"queue": queue, "discarded": outcome.changed, "already_discarded": outcome.already}

    return router
