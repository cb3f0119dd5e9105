"""Domain errors; each carries a stable machine code and a kind (an ErrorKind value) that the edges translate."""

from __future__ import annotations

from dataclasses import asdict


class LedgerError(Exception):
    """Base of every business-rule violation in the ledger."""

    code = "ledger_error"
    kind = "invalid"  # every subclass names its own: a test fails otherwise

    def details(self) -> dict:
        """Fields the API answer adds to the error object beside code and message."""
        return {}

    def headers(self) -> dict[str, str]:
        """Headers the API answer carries."""
        return {}


class InvalidPeriod(LedgerError):
    """A period whose dates or name make no sense."""

    code = "invalid_period"
    kind = "unprocessable"


class PeriodOverlap(LedgerError):
    """A new period would share at least one day with an existing one."""

    code = "period_overlap"
    kind = "conflict"


class PeriodNameTaken(LedgerError):
    """Another period already has this name."""

    code = "period_name_taken"
    kind = "conflict"


class PeriodNotFound(LedgerError):
    """No period with this id."""

    code = "period_not_found"
    kind = "not_found"


class UnbalancedTransaction(LedgerError):
    """A journal transaction whose postings do not sum to zero on each basis."""

    code = "unbalanced_transaction"
    kind = "invalid"


class PeriodNotOpen(LedgerError):
    """The period is not in the state the action needs."""

    code = "period_not_open"
    kind = "conflict"


class PeriodNotClosing(LedgerError):
    """Allocations are proposed only for a period that is closing."""

    code = "period_not_closing"
    kind = "conflict"


class PeriodClosed(LedgerError):
    """A closed period is locked: nothing may be booked dated in it."""

    code = "period_closed"
    kind = "conflict"


class InvalidAllocationInput(LedgerError):
    """A surplus, weight or cash portion that makes no sense."""

    code = "invalid_allocation_input"
    kind = "unprocessable"


class LossHasNoCashPortion(InvalidAllocationInput):
    """A loss is allocated to capital only: there is no cash to pay out of it."""

    code = "loss_has_no_cash_portion"
    kind = "unprocessable"


class NoPatronage(LedgerError):
    """Nobody has positive weighted patronage, so there is nothing to allocate by."""

    code = "no_patronage"
    kind = "conflict"


class NotReconciled(LedgerError):
    """The ledger's approved totals do not (yet) equal the totals contributions sealed."""

    code = "not_reconciled"
    kind = "conflict"


class ProposalPending(LedgerError):
    """Another proposal of this period is proposed or approved."""

    code = "proposal_pending"
    kind = "conflict"


class AllocationNotFound(LedgerError):
    code = "allocation_not_found"
    kind = "not_found"


class AllocationNotPending(LedgerError):
    """Only a proposed (or approved) allocation may be approved or rejected."""

    code = "allocation_not_pending"
    kind = "conflict"


class AllocationNotApproved(LedgerError):
    """Only an approved allocation may be posted."""

    code = "allocation_not_approved"
    kind = "conflict"


class StaleProposal(LedgerError):
    """Contributions were booked in the period after the proposal; propose again."""

    code = "stale_proposal"
    kind = "conflict"


class DistributionNotFound(LedgerError):
    code = "distribution_not_found"
    kind = "not_found"


class InvalidDistribution(LedgerError):
    code = "invalid_distribution"
    kind = "unprocessable"


class DistributionNotScheduled(LedgerError):
    """Only a scheduled distribution may be completed or cancelled."""

    code = "distribution_not_scheduled"
    kind = "conflict"


class WouldOverdrawCapital(LedgerError):
    """Paying this would make the member's book or tax capital negative; an override is needed."""

    code = "would_overdraw_capital"
    kind = "conflict"


class TransactionNotFound(LedgerError):
    code = "transaction_not_found"
    kind = "not_found"


class AlreadyReversed(LedgerError):
    """A transaction is reversed at most once."""

    code = "already_reversed"
    kind = "conflict"


class K1DoesNotTie(LedgerError):
    """K-1 data fails a tie check (a row, the carried-forward beginning, the capital total); nothing leaves."""

    code = "k1_does_not_tie"
    kind = "conflict"

    def __init__(self, message: str, differences: list[dict[str, str | None]]) -> None:
        super().__init__(message)
        self.differences = differences  # check, member_id, basis, expected, computed, difference

    def details(self) -> dict:
        return {"differences": self.differences}


class K1AlreadyIssued(LedgerError):
    """A year's K-1s are issued once; the answer carries what was issued."""

    code = "k1_already_issued"
    kind = "conflict"

    def __init__(self, message: str, issued: object) -> None:
        super().__init__(message)
        self.issued = issued  # domain.exports.k1_issue.K1Issue


class K1PreviousYearNotIssued(LedgerError):
    """The year before has activity this ledger kept but its K-1s were not issued: issue it first."""

    code = "k1_previous_year_not_issued"
    kind = "conflict"


class K1YearNotStarted(LedgerError):
    """A year after the current one cannot be issued: issuing would lock dates still to come."""

    code = "k1_year_not_started"
    kind = "unprocessable"


class K1PeriodsNotClosed(LedgerError):
    """A year is issued only once every period of it is closed: issuing locks them all."""

    code = "k1_periods_not_closed"
    kind = "conflict"


class InvalidCsv(LedgerError):
    """An import file with problems in one validation pass; nothing was written."""

    code = "invalid_csv"
    kind = "unprocessable"

    def __init__(self, pass_name: str, problems: list, count: int) -> None:
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the {pass_name} pass; nothing was written.")
        self.pass_name = pass_name
        self.problems = problems  # the first ones (habitat_common.csv_stream.CsvProblem), at most MAX_LISTED
        self.count = count

    def details(self) -> dict:
        listed = [asdict(problem) for problem in self.problems]
        return {"pass": self.pass_name, "error_count": self.count, "errors": listed}


class PeriodLocked(LedgerError):
    """A booking dated on or before the lock date (latest closed period's end, issued K-1 year's end)."""

    code = "period_locked"
    kind = "conflict"


class PeriodBeforeLock(LedgerError):
    """A new period may not start on or before the lock date."""

    code = "period_before_lock"
    kind = "conflict"


class ReversalBelongsToWorkflow(LedgerError):
    """An entry a workflow (contribution, allocation, distribution) booked is corrected through that workflow."""

    code = "reversal_belongs_to_workflow"
    kind = "conflict"


class PendingContributions(LedgerError):
    """Contributions of the period are still undecided."""

    code = "pending_contributions"
    kind = "conflict"


class OwnDistribution(LedgerError):
    """Nobody schedules, completes or approves a payment to themselves (PRODUCT.md rule 12)."""

    code = "own_distribution"
    kind = "forbidden"


class MoneyMoveNotFound(LedgerError):
    code = "money_move_not_found"
    kind = "not_found"


class MoneyMoveNotPending(LedgerError):
    """Only a requested money move is approved or rejected."""

    code = "money_move_not_pending"
    kind = "conflict"


class MoneyMovePending(LedgerError):
    """Another request to move the same money waits for approval; approve or reject it first."""

    code = "money_move_pending"
    kind = "conflict"


class InvalidStatementRange(LedgerError):
    """A statement's dates out of order, or spanning more than a statement may."""

    code = "invalid_statement_range"
    kind = "unprocessable"
