"""The kinds of mail and the category each belongs to."""

from __future__ import annotations

from enum import StrEnum

from habitat_notifications.domain.preferences import Category


class Kind(StrEnum):
    """One template (subject, text, HTML) per kind."""

    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"
    NEW_DEVICE = "new_device"
    CONTRIBUTION_APPROVED = "contribution_approved"
    CONTRIBUTION_REJECTED = "contribution_rejected"
    CLARIFICATION_REQUESTED = "clarification_requested"
    ALLOCATION_POSTED = "allocation_posted"
    WEEKLY_REMINDER = "weekly_reminder"
    FINAL_WEEK = "final_week"
    STEWARD_DIGEST = "steward_digest"

    @property
    def category(self) -> Category:
        return CATEGORY[self]

    @property
    def essential(self) -> bool:
        """Essential mail cannot be turned off and carries no List-Unsubscribe header."""
        return self.category is Category.SECURITY


CATEGORY = {
    Kind.INVITATION: Category.SECURITY,
    Kind.PASSWORD_RESET: Category.SECURITY,
    Kind.NEW_DEVICE: Category.SECURITY,
    Kind.CONTRIBUTION_APPROVED: Category.DECISIONS,
    Kind.CONTRIBUTION_REJECTED: Category.DECISIONS,
    Kind.CLARIFICATION_REQUESTED: Category.DECISIONS,
    # news about the member's own capital account: switched with the decisions
    Kind.ALLOCATION_POSTED: Category.DECISIONS,
    Kind.WEEKLY_REMINDER: Category.REMINDERS,
    Kind.FINAL_WEEK: Category.REMINDERS,
    Kind.STEWARD_DIGEST: Category.REMINDERS,
}
REMINDER_KINDS = (Kind.WEEKLY_REMINDER, Kind.FINAL_WEEK, Kind.STEWARD_DIGEST)
