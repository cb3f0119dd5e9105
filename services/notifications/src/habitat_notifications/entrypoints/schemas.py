"""Request and response bodies of the notifications API."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from habitat_common.web.inputs import RequestBody

StatusName = Literal["queued", "sent", "failed", "bounced"]


class PreferencesBody(RequestBody):
    """Both switches; security mail (invitations, password resets) cannot be turned off."""

    decisions: bool = Field(description="Mail about decisions on my contributions and posted allocations")
    reminders: bool = Field(description="Reminders to submit, and (stewards) the review digest")


class PreferencesOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    member_id: uuid.UUID
    decisions: bool = Field(description="Mail about decisions on my contributions and posted allocations")
    reminders: bool = Field(description="Reminders to submit, and (stewards) the review digest")
    security: Literal[True] = Field(default=True, description="Invitations and password resets: always sent")
    updated_at: datetime | None = Field(description="When the member last chose; null: the defaults")


class MessageOut(BaseModel):
    """A mail as recorded, without its bodies (a reset mail's body holds a live token)."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: str = Field(description="invitation, password_reset, contribution_approved, ...")
    recipient_id: uuid.UUID
    recipient_email: str
    subject: str
    status: StatusName
    attempts: int = Field(description="Sending attempts since it was written (or last resent)")
    next_attempt_at: datetime | None = Field(description="When a queued mail is tried next")
    last_error: str | None = Field(description="The SMTP server's last refusal, e.g. '550 5.1.1 no such user'")
    source_event_id: uuid.UUID = Field(description="The event this mail answers")
    created_at: datetime
    sent_at: datetime | None
    resend_count: int = Field(description="How often an admin resent it")
    resent_at: datetime | None
    resent_by: uuid.UUID | None


class MessagePage(BaseModel):
    items: list[MessageOut]
    next_cursor: str | None = Field(description="Pass as `after` for the next page; null on the last page")


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail


def encode_cursor(created_at: datetime, message_id: uuid.UUID) -> str:
    """An opaque keyset cursor for the row (created_at, id)."""
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{message_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (created_at, id) a cursor stands for; ValueError when it is not one of ours."""
    try:
        created_at, _, message_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        parsed = datetime.fromisoformat(created_at), uuid.UUID(message_id)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError("not a cursor of this listing") from error
    if parsed[0].tzinfo is None:
        raise ValueError("not a cursor of this listing")
    return parsed
