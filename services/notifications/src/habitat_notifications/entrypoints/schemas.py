"""The notifications API's error body and list cursors; its request and response bodies are
habitat_common.api.notifications (shared with the gateway)."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

from pydantic import BaseModel


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
