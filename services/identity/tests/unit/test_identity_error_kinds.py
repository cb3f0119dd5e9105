"""Every identity error names its kind, so its HTTP status is a decision, not a 400 by default."""

from __future__ import annotations

import habitat_identity
from habitat_common.errors import error_classes, undeclared_kinds
from habitat_identity.domain.errors import IdentityError, PasswordTokenUsed, TooManyAttempts


class TestErrorKinds:
    def test_every_identity_error_declares_its_kind(self) -> None:
        assert undeclared_kinds(IdentityError, habitat_identity) == []

    def test_the_walk_sees_the_identity_errors(self) -> None:
        assert {PasswordTokenUsed, TooManyAttempts} <= set(error_classes(IdentityError, habitat_identity))
