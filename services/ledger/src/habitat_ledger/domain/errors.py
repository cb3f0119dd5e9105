"""Domain errors; each carries a stable machine code that the edges translate."""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every business-rule violation in the ledger."""

    code = "ledger_error"


class InvalidPeriod(LedgerError):
    """A period whose dates or name make no sense."""

    code = "invalid_period"


class PeriodOverlap(LedgerError):
    """A new period would share at least one day with an existing one."""

    code = "period_overlap"


class PeriodNameTaken(LedgerError):
    """Another period already has this name."""

    code = "period_name_taken"


class PeriodNotFound(LedgerError):
    """No period with this id."""

    code = "period_not_found"


class UnbalancedTransaction(LedgerError):
    """A journal transaction whose postings do not sum to zero on each basis."""

    code = "unbalanced_transaction"
