"""What each member chooses to receive. Security mail (invitation, password reset) cannot be turned off."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Category(StrEnum):
    """Why a mail is sent; preferences switch categories, not single kinds."""

    SECURITY = "security"
    DECISIONS = "decisions"
    REMINDERS = "reminders"


@dataclass(eq=False)
class Preferences:
    """One member's switches; a member who never chose anything gets every category (the defaults)."""

    member_id: uuid.UUID
    decisions: bool = True
    reminders: bool = True
    updated_at: datetime | None = None

    def allows(self, category: Category) -> bool:
        """Security mail always goes; the other categories follow the member's switch."""
        if category is Category.SECURITY:
            return True
        return self.decisions if category is Category.DECISIONS else self.reminders

    def change(self, *, decisions: bool, reminders: bool, at: datetime) -> None:
        """The member's new choice (whole: both switches)."""
        self.decisions, self.reminders, self.updated_at = decisions, reminders, at


def defaults(member_id: uuid.UUID) -> Preferences:
    """The preferences of a member who has not chosen yet."""
    return Preferences(member_id=member_id)
