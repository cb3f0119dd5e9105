"""The notifications API's bodies: a member's mail preferences, the admin's mail log, reminder runs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from habitat_common.web.inputs import RequestBody

MessageStatus = Literal["queued", "sent", "failed", "bounced"]
RunKind = Literal["weekly_reminder", "final_week", "steward_digest"]


class Answer(BaseModel):
    """A response body: built from the service's records, every field always present in the JSON."""

    model_config = ConfigDict(from_attributes=True, json_schema_serialization_defaults_required=True)


class Request(RequestBody):
    """A request body: unknown fields are refused, like every body of the public API."""

    model_config = ConfigDict(extra="forbid")


class PreferencesRequest(Request):
    """Both switches; security mail (invitations, password resets) cannot be turned off."""

    decisions: bool = Field(description="Mail about decisions on my contributions and posted allocations")
    reminders: bool = Field(description="Reminders to submit, and (stewards) the review digest")


class Preferences(Answer):
    member_id: uuid.UUID
    decisions: bool = Field(description="Mail about decisions on my contributions and posted allocations")
    reminders: bool = Field(description="Reminders to submit, and (stewards) the review digest")
    security: Literal[True] = Field(default=True, description="Invitations and password resets: always sent")
    updated_at: datetime | None = Field(description="When the member last chose; null: the defaults")


class Message(Answer):
    """A mail as recorded, without its bodies (a reset mail's body holds a live token)."""

    id: uuid.UUID
    kind: str = Field(description="invitation, password_reset, contribution_approved, weekly_reminder, ...")
    recipient_id: uuid.UUID
    recipient_email: str
    subject: str
    status: MessageStatus = Field(description="queued (waiting or retrying), sent, failed (for good), bounced")
    attempts: int = Field(description="Sending attempts since it was written (or last resent)")
    next_attempt_at: datetime | None = Field(description="When a queued mail is tried next")
    last_error: str | None = Field(description="The SMTP server's last refusal, e.g. '550 5.1.1 no such user'")
    source_event_id: uuid.UUID = Field(description="The event (or reminder run) this mail answers")
    created_at: datetime
    sent_at: datetime | None
    resend_count: int = Field(description="How often an admin resent it")
    resent_at: datetime | None
    resent_by: uuid.UUID | None


class MessagePage(Answer):
    items: list[Message]
    next_cursor: str | None = Field(description="Pass as `after` for the next page; null on the last page")


class RunRequest(Request):
    kind: RunKind = Field(description="Which reminder to run now")


class RunOutcome(Answer):
    kind: RunKind
    key: str | None = Field(description="The slot run (week and period, period, day); null: no slot now")
    ran: bool = Field(description="False when the slot ran before, or when there is no slot now (no open period)")
    mailed: int = Field(description="Mails this call wrote (the worker sends them within seconds)")
