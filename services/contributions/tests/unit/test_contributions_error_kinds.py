"""Every contributions error names its kind, so its HTTP status is a decision, not a 400 by default."""

from __future__ import annotations

import habitat_contributions
from habitat_common.errors import error_classes, undeclared_kinds
from habitat_contributions.domain.corrections import CorrectionRefused
from habitat_contributions.domain.errors import ContributionError, InvalidImport


class TestErrorKinds:
    def test_every_contributions_error_declares_its_kind(self) -> None:
        assert undeclared_kinds(ContributionError, habitat_contributions) == []

    def test_the_walk_sees_errors_outside_the_errors_module(self) -> None:
        assert {CorrectionRefused, InvalidImport} <= set(error_classes(ContributionError, habitat_contributions))
