"""What a notifications use case can refuse."""

from __future__ import annotations


class NotificationsError(Exception):
    """Base: a stable code for the API and a message for people."""

    code = "notifications_error"
    kind = "invalid"  # every subclass names its own: a test fails otherwise

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def details(self) -> dict:
        """Fields the API answer adds to the error object beside code and message."""
        return {}

    def headers(self) -> dict[str, str]:
        """Headers the API answer carries."""
        return {}


class MessageNotFound(NotificationsError):
    code = "message_not_found"
    kind = "not_found"


class NotResendable(NotificationsError):
    code = "not_resendable"
    kind = "conflict"


class MemberUnknown(NotificationsError):
    """An event names a member the replica does not know yet: the delivery is retried later (order across
    queues is not guaranteed)."""

    code = "member_unknown"
    kind = "invalid"
