"""Every notifications error names its kind, so its HTTP status is a decision, not a 400 by default."""

from __future__ import annotations

import habitat_notifications
from habitat_common.errors import error_classes, undeclared_kinds
from habitat_notifications.domain.errors import MessageNotFound, NotificationsError


class TestErrorKinds:
    def test_every_notifications_error_declares_its_kind(self) -> None:
        assert undeclared_kinds(NotificationsError, habitat_notifications) == []

    def test_the_walk_sees_the_notifications_errors(self) -> None:
        assert MessageNotFound in error_classes(NotificationsError, habitat_notifications)
