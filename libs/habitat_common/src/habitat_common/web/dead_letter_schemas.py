"""Request and response models of the dead-letter admin API, shared by the services and the gateway."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from habitat_common.messaging.dead_letter_rules import MAX_REASON
from habitat_common.web.inputs import Name, RequestBody

Status = Literal["dead", "replay_requested", "replayed", "discarded"]
StatusFilter = Literal["dead", "replay_requested", "replayed", "discarded", "any"]
MAX_IDS = 500
Ids = Annotated[list[uuid.UUID], Field(min_length=1, max_length=MAX_IDS, description="Letters of that queue")]


class QueueSummary(BaseModel):
    queue: str = Field(description="Work queue the letters died in, `<consumer>.<event>.v<N>`")
    count: int = Field(description="Letters in status dead")
    oldest_dead_at: datetime | None
    age_seconds: int | None = Field(description="Seconds since the oldest letter died; null when none")


class DeadLetterSummary(BaseModel):
    id: uuid.UUID
    queue: str
    event_type: str | None = Field(description="`<context>.<event>.v<N>`; null when the body is no envelope")
    event_id: uuid.UUID | None
    reason: str
    dead_at: datetime = Field(description="When it (last) died")
    age_seconds: int
    times_dead: int = Field(description="Deaths, counting those after replays")
    status: Status


class DeadLetterList(BaseModel):
    queues: list[QueueSummary]
    total: int = Field(description="Letters matching the filter (the items are a page of them)")
    items: list[DeadLetterSummary]


class DeadLetterDetail(DeadLetterSummary):
    message_id: str | None
    content_type: str | None
    headers: dict
    body: str
    body_encoding: Literal["utf-8", "base64"]
    replay_requested_at: datetime | None
    replay_requested_by: uuid.UUID | None
    replayed_at: datetime | None
    discarded_at: datetime | None
    discarded_by: uuid.UUID | None
    discard_reason: str | None


class QueueLetters(BaseModel):
    queue: str
    total: int
    items: list[DeadLetterDetail]


class ReplayRequest(RequestBody):
    ids: Ids | None = Field(None, description="Omitted: every dead letter of the queue")


class DiscardRequest(RequestBody):
    reason: Annotated[Name, Field(
        min_length=1, max_length=MAX_REASON,
        description=f"Why the letters are set aside, kept with them (1..{MAX_REASON} characters, one line)",
    )]
    ids: Ids | None = Field(None, description="Omitted: every dead letter of the queue")


class ReplayOutcome(BaseModel):
    queue: str
    requested: int = Field(description="Letters now waiting to be published back to their work queue")
    already_replayed: int = Field(description="Letters asked for that were replayed (or asked to be) before")


class DiscardOutcome(BaseModel):
    queue: str
    discarded: int
    already_discarded: int
