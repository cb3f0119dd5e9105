"""Which journal transactions an admin may reverse directly, and where the others are corrected.

An entry a workflow booked is corrected through that workflow, so the workflow's own records (a
contribution's status and corrections, a distribution's status, a posted allocation) never
disagree with the journal. Opening balances carried from a previous system have no workflow
behind them beyond the import, so they stay directly reversible.
"""

from __future__ import annotations

from habitat_ledger.domain.errors import ReversalBelongsToWorkflow
from habitat_ledger.domain.journal.transactions import JournalTransaction, SourceType

DIRECTLY_REVERSIBLE = frozenset({SourceType.OPENING_BALANCE})


def ensure_directly_reversible(original: JournalTransaction) -> None:
    """Refuse (ReversalBelongsToWorkflow) with a pointer to the workflow that corrects this entry."""
    if original.source_type in DIRECTLY_REVERSIBLE:
        return
    raise ReversalBelongsToWorkflow(f"{_what(original)} {_pointer(original)}")


def _what(original: JournalTransaction) -> str:
    kind = {
        SourceType.CONTRIBUTION: "contribution",
        SourceType.DISTRIBUTION: "distribution",
        SourceType.ALLOCATION: "allocation",
    }.get(original.source_type)
    if kind is None:
        return "This transaction is itself a reversal and is not reversed again;"
    return f"This transaction was booked by {kind} {original.source_id}, so it is not reversed directly:"


def _pointer(original: JournalTransaction) -> str:
    source = original.source_id
    match original.source_type:
        case SourceType.CONTRIBUTION:
            return (
                f"submit a correction of contribution {source} (POST /contributions with "
                f"corrects_contribution_id {source}); once approved it is booked in the open period."
            )
        case SourceType.DISTRIBUTION:
            return (
                "a completed payment is not cancelled. If the money came back, record it as a cash capital "
                "contribution of the member (submit a capital contribution, reviewed like any other); if too "
                "little was paid, schedule a distribution for the difference."
            )
        case SourceType.ALLOCATION:
            return (
                f"a posted allocation is final; correct allocation {source} in the current period "
                "(a correcting contribution, or the next period's allocation)."
            )
        case _:
            return "to restore an opening balance, import it again (POST /imports/capital-accounts)."
