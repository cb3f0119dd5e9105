"""The ledger's replica of identity's members: only what statements and K-1 data need."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(eq=False)
class MemberReplica:
    """Fed by member events; updated_at is the event's time, so an older event never wins."""

    id: uuid.UUID
    email: str
    display_name: str
    status: str
    updated_at: datetime
