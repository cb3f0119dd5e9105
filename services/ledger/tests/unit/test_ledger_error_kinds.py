"""Every ledger error names its kind, so its HTTP status is a decision, not a 400 by default."""

from __future__ import annotations

from habitat_common.errors import error_classes, undeclared_kinds

import habitat_ledger
from habitat_ledger.domain.errors import K1DoesNotTie, LedgerError, PeriodNotFound


class TestErrorKinds:
    def test_every_ledger_error_declares_its_kind(self) -> None:
        assert undeclared_kinds(LedgerError, habitat_ledger) == []

    def test_the_walk_sees_the_ledger_errors(self) -> None:
        assert {K1DoesNotTie, PeriodNotFound} <= set(error_classes(LedgerError, habitat_ledger))
