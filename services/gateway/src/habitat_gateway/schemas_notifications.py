"""Public bodies of the notifications endpoints: defined once in habitat_common.api.notifications, which the
notifications service answers with too."""

from __future__ import annotations

from habitat_common.api.notifications import (
    Message,
    MessagePage,
    MessageStatus,
    Preferences,
    PreferencesRequest,
    RunKind,
    RunOutcome,
    RunRequest,
)

__all__ = [
    "Message", "MessagePage", "MessageStatus", "Preferences", "PreferencesRequest", "RunKind", "RunOutcome",
    "RunRequest",
]
